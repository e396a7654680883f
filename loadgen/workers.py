"""--workers N: one run spread over N processes, traces merged into one.

Every worker rebuilds the same dataset and arrival schedule from the seed and takes
every N-th request (request #seq goes to worker seq % N), with 1/N of each concurrency
and QPS cap, so the merged run has exactly the single-process schedule. Workers share
the parent's time base (CLOCK_MONOTONIC is system-wide on Linux): they all report
ready, the parent picks a common start instant, and offsets in every worker trace are
relative to the parent's run start. Ctrl-C is handled by the parent alone, which tells
workers to stop; each closes its trace and the parent merges what they wrote.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue as queue_mod
import shutil
import signal
import sys
import time
from dataclasses import asdict

from loadgen.config import LoadTestConfig
from loadgen.errors import one_line
from loadgen.metrics import judge_run
from loadgen.progress import Counters, ProgressPrinter
from loadgen.runinfo import build_header, new_run_id, run_dir_for
from loadgen.runner import Run, RunResult, dataset_for, write_summary_for
from loadgen.trace import TraceWriter, read_trace

_START_MARGIN_NS = 20_000_000  # time for every worker to see the start signal


def _worker_main(cfg: LoadTestConfig, k: int, t0_ns: int, ready_q, start_evt, start_val,
                 stop_evt, progress_q) -> None:
    # The parent owns Ctrl-C (it reaches the whole process group); we stop via stop_evt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def wait_for_start() -> int:
        ready_q.put(k)
        while not start_evt.is_set():
            if stop_evt.is_set():
                raise asyncio.CancelledError
            await asyncio.sleep(0.002)
        return start_val.value

    def on_progress(c: Counters) -> None:
        try:
            progress_q.put_nowait((k, asdict(c)))
        except queue_mod.Full:
            pass

    try:
        run = Run(cfg, t0_ns=t0_ns, wait_for_start=wait_for_start, stop_check=stop_evt.is_set,
                  on_progress=on_progress, write_summary=False)
        res = asyncio.run(run.execute())
        on_progress(run.counters)
        progress_q.put((k, {"status": res.status}))
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which decides
        progress_q.put((k, {"status": "failed", "error": one_line(f"{type(e).__name__}: {e}")}))
        ready_q.put(k)  # never leave the parent waiting for a ready signal
        raise SystemExit(1) from None


async def run_with_workers(cfg: LoadTestConfig) -> RunResult:
    from loadgen.preflight import check_server

    shards, arrival, _ = cfg.resolve()
    dataset = dataset_for(cfg)
    cfg = await check_server(cfg)
    if cfg.calibrate_isl and cfg.words_per_token == 1.0:
        # once, here: every worker then sizes its prompts with the same ratio
        from loadgen.calibrate import measure_words_per_token
        cfg = cfg.copy(words_per_token=await measure_words_per_token(cfg))
        dataset = dataset_for(cfg)
    run_id = cfg.run_id or new_run_id()
    run_dir = run_dir_for(cfg, run_id)
    t0 = time.monotonic_ns()
    header = build_header(cfg, run_id=run_id, shards=shards, dataset=dataset, arrival=arrival,
                          start_mono_ns=t0)
    trace_path = run_dir / "trace.jsonl"
    writer = TraceWriter(trace_path, header, cfg.flush_every, cfg.flush_interval_s)
    ctx = mp.get_context("spawn")
    ready_q, progress_q = ctx.Queue(), ctx.Queue()
    start_evt, stop_evt = ctx.Event(), ctx.Event()
    start_val = ctx.Value("q", 0)
    wdirs = [run_dir / "workers" / f"w{k}" for k in range(cfg.workers)]
    procs = [ctx.Process(target=_worker_main, name=f"loadgen-worker-{k}",
                         args=(cfg.copy(run_id=run_id, worker_index=k, out_dir=str(wdirs[k]),
                                        progress=False, parquet=False, preflight=False,
                                        wait_for_server_s=0.0),
                               k, t0, ready_q, start_evt, start_val, stop_evt, progress_q))
             for k in range(cfg.workers)]
    for p in procs:
        p.start()
    printer = ProgressPrinter(cfg.progress, label=f"{cfg.workers} workers")
    latest: dict[int, Counters] = {}
    finals: dict[int, dict] = {}
    total = None if (cfg.duration_s is not None and cfg.num_prompts is None) else \
        (cfg.num_prompts or len(dataset))
    status = "completed"
    main_start = t0

    def drain() -> None:
        while True:
            try:
                k, payload = progress_q.get_nowait()
            except queue_mod.Empty:
                return
            if "status" in payload:
                finals[k] = payload
            else:
                latest[k] = Counters(**payload)

    try:
        ready = 0
        while ready < cfg.workers:
            try:
                await asyncio.to_thread(ready_q.get, True, 0.5)
                ready += 1
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs):
                    break
        main_start = time.monotonic_ns() + _START_MARGIN_NS
        start_val.value = main_start
        start_evt.set()
        last_show = 0.0
        while any(p.is_alive() for p in procs):
            await asyncio.sleep(0.1)
            drain()
            if time.monotonic() - last_show >= cfg.progress_interval_s:
                last_show = time.monotonic()
                agg = Counters()
                for c in latest.values():
                    agg.add(c)
                printer.show(agg, total, max(0.0, (time.monotonic_ns() - main_start) / 1e9))
    except asyncio.CancelledError:
        status = "interrupted"
        stop_evt.set()
        deadline = time.monotonic() + 30
        while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.terminate()
                p.join(5)
        drain()

    # Merge: every worker's request lines, ordered by send time, under the parent header.
    records, durations, problems = [], [], []
    for k, d in enumerate(wdirs):
        path = d / "trace.jsonl"
        if not path.exists():
            problems.append(f"worker {k} wrote no trace")
            continue
        _, recs, end = read_trace(path)
        records.extend(recs)
        if end is None:
            problems.append(f"worker {k} trace has no end line")
        else:
            durations.append(end["duration_s"] or 0.0)
            if end["status"] == "interrupted" and status == "completed":
                status = "interrupted"
        if finals.get(k, {}).get("error"):
            problems.append(f"worker {k}: {finals[k]['error']}")
    if problems and status == "completed":
        status = "failed"
    reason = judge_run(records, cfg.max_error_rate) if status == "completed" else None
    if reason:
        status = "failed"
    records.sort(key=lambda r: (r["warmup"] is False, r["send_offset_ns"]))
    for r in records:
        writer.write(r)
    duration = max(durations) if durations else (time.monotonic_ns() - main_start) / 1e9
    writer.close(status, duration, {"main_start_offset_ns": main_start - t0})
    agg = Counters()
    for c in latest.values():
        agg.add(c)
    printer.show(agg, total, duration, final=True)
    for msg in problems:
        print(f"loadgen: {msg}", file=sys.stderr)
    summary, summary_path = write_summary_for(trace_path, cfg, header, duration, status,
                                              {"failure_reason": reason or ("; ".join(problems) or None
                                                                            if status == "failed" else None)})
    parquet_path = None
    if cfg.parquet:
        from loadgen.parquet import export_parquet
        parquet_path = export_parquet(trace_path, run_dir / "trace.parquet")
    if not problems:
        shutil.rmtree(run_dir / "workers", ignore_errors=True)
    return RunResult(run_id, run_dir, trace_path, summary_path, parquet_path, summary, status,
                     records=len(records), failure_reason=summary.get("failure_reason"), extra={"main_start_offset_ns": main_start - t0,
                                                  "worker_problems": problems})
