"""One load-test run in one process: warm-up, arrivals, per-shard dispatch, trace.

Flow: the arrival coroutine releases request #seq at its due time into its shard's
queue (shards take turns, so tasks spread evenly); each shard's dispatcher admits
requests through the shard's limiter (concurrency / QPS caps, adaptive level, staggered
start) and the run-wide --max-concurrency gate, then starts one task per request. Each
finished request is written to the trace at once. Ctrl-C cancels everything in flight;
those requests are written as `cancelled` and the trace is closed properly.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from loadgen.arrivals import arrival_offsets
from loadgen.client import ClientOptions, ShardClient
from loadgen.config import LoadTestConfig, split_cap
from loadgen.dataset_factory import build_dataset
from loadgen.datasets import Dataset, Prompt
from loadgen.metrics import build_summary, judge_counts
from loadgen.progress import Counters, ProgressPrinter
from loadgen.ratelimit import AdaptivePolicy, ShardLimiter
from loadgen.runinfo import build_header, new_run_id, run_dir_for, summary_run_facts
from loadgen.shards import ShardConfig
from loadgen.trace import TraceWriter


@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    trace_path: Path
    summary_path: Path | None
    parquet_path: Path | None
    summary: dict | None
    status: str                       # completed | interrupted | failed
    records: int = 0
    failure_reason: str | None = None  # why a run that ran to the end counts as failed
    extra: dict = field(default_factory=dict)

    @property
    def interrupted(self) -> bool:
        return self.status == "interrupted"


def client_options(cfg: LoadTestConfig, ignore_eos: bool) -> ClientOptions:
    return ClientOptions(backend=cfg.backend, endpoint=cfg.endpoint,
                         stream_usage=cfg.stream_usage, ignore_eos=ignore_eos,
                         temperature=cfg.temperature, extra_body=cfg.extra_body,
                         request_timeout_s=cfg.request_timeout_s,
                         read_timeout_s=cfg.read_timeout_s,
                         connect_timeout_s=cfg.connect_timeout_s,
                         max_retries=cfg.max_retries, save_text=cfg.save_text)



def dataset_for(cfg: LoadTestConfig) -> Dataset:
    return build_dataset(cfg.dataset, path=cfg.dataset_path, isl=cfg.isl, osl=cfg.osl,
                         range_ratio=cfg.random_range_ratio, seed=cfg.seed,
                         size=cfg.num_prompts or (100 if cfg.dataset == "multi-turn" else 1000),
                         replay_speed=cfg.replay_speed, prefix_count=cfg.prefix_count,
                         prefix_len=cfg.prefix_len, block_tokens=cfg.block_tokens, turns=cfg.turns,
                         think_time=cfg.think_time, max_turns=cfg.max_turns,
                         words_per_token=cfg.words_per_token)


def worker_shards(shards: list[ShardConfig], workers: int, k: int) -> list[ShardConfig]:
    """Worker k's slice of each shard's caps (its share of concurrency and QPS)."""
    if workers == 1:
        return shards
    out = []
    for s in shards:
        c = split_cap(s.max_concurrency, workers, k)
        q = None if s.qps is None else s.qps / workers
        out.append(ShardConfig(**{**s.__dict__, "max_concurrency": c, "qps": q}))
    return out


class _Gate:
    """The run-wide concurrency cap (FIFO)."""

    def __init__(self, limit: int):
        self.sem = asyncio.Semaphore(limit)

    async def acquire(self) -> None:
        await self.sem.acquire()

    def release(self) -> None:
        self.sem.release()


class Run:
    def __init__(self, cfg: LoadTestConfig, *, t0_ns: int | None = None,
                 wait_for_start: Callable[[], Awaitable[int]] | None = None,
                 stop_check: Callable[[], bool] | None = None,
                 on_progress: Callable[[Counters], None] | None = None,
                 write_summary: bool = True):
        self.cfg = cfg
        shards, self.arrival, self.ignore_eos = cfg.resolve()
        self.all_shards = shards
        self.dataset = dataset_for(cfg)
        self.run_id = cfg.run_id or new_run_id()
        self.run_dir = run_dir_for(cfg, self.run_id)
        self.trace_path = self.run_dir / "trace.jsonl"
        self.t0_ns = t0_ns
        self.wait_for_start = wait_for_start
        self.stop_check = stop_check
        self.on_progress = on_progress
        self.write_summary = write_summary
        self.W, self.k = cfg.workers, cfg.worker_index
        self.shards = worker_shards(shards, self.W, self.k)
        self.counters = Counters()
        self.inflight = 0
        self.tasks: set[asyncio.Task] = set()
        self.num_main = self._num_main()
        self.failure_reason: str | None = None
        self.stopped_early: str | None = None   # the over-saturation guard's reason
        self.released = 0                       # requests the arrival process has let go
        self.started = 0                        # ... and of those, sent
        self.guard = None
        if cfg.stop_on_saturation:
            from loadgen.saturation import SaturationGuard
            backlog = cfg.max_backlog or max(64, 4 * (cfg.max_concurrency or 16))
            self.guard = SaturationGuard(backlog)

    @property
    def multi_turn(self) -> bool:
        return getattr(self.dataset, "multi_turn", False)

    def _num_main(self) -> int | None:
        """Main-phase requests this process will send (None = until --duration)."""
        cfg = self.cfg
        if cfg.duration_s is not None and cfg.num_prompts is None:
            return None
        n = cfg.num_prompts or len(self.dataset)
        if self.multi_turn:
            return self.dataset.turns_of(n)
        if self.arrival == "replay":
            n = min(n, len(self.dataset))
        if self.W > 1:
            n = len(range(self.k, n, self.W))
        return n

    # -- the run ---------------------------------------------------------------------
    async def execute(self) -> RunResult:
        from loadgen.preflight import check_server
        self.cfg = cfg = await check_server(self.cfg)  # before the trace: a failure writes nothing
        if cfg.calibrate_isl and cfg.words_per_token == 1.0:
            from loadgen.calibrate import measure_words_per_token
            self.cfg = cfg = cfg.copy(words_per_token=await measure_words_per_token(cfg))
            self.dataset = dataset_for(cfg)
        loop_task = asyncio.current_task()
        self.t0_ns = self.t0_ns or time.monotonic_ns()
        header = build_header(cfg, run_id=self.run_id, shards=self.all_shards,
                              dataset=self.dataset, arrival=self.arrival,
                              start_mono_ns=self.t0_ns)
        if self.W > 1:
            header["worker"] = self.k
        self.writer = TraceWriter(self.trace_path, header, cfg.flush_every, cfg.flush_interval_s)
        self.header = header
        opts = client_options(cfg, self.ignore_eos)
        if self.multi_turn:
            opts.save_text = True  # the next turn sends the answer; _one drops it from the trace if asked
        policy = AdaptivePolicy(cooldown_s=cfg.adaptive_interval_s,
                                climb_interval_s=cfg.adaptive_interval_s)
        self.limiters = [ShardLimiter(s.max_concurrency, s.qps, s.rate_mode, policy)
                         for s in self.shards]
        self.clients = [ShardClient(s, opts, lim, self.run_id, worker=self.k)
                        for s, lim in zip(self.shards, self.limiters)]
        total_cap = split_cap(cfg.max_concurrency, self.W, self.k) if cfg.shards_file else None
        self.gate = _Gate(total_cap) if total_cap else None
        self.progress = ProgressPrinter(cfg.progress and self.on_progress is None)
        self.main_start_ns = self.t0_ns
        status, end_ns = "failed", None
        ticker = asyncio.create_task(self._tick(loop_task))
        spinner = asyncio.create_task(_busy_poll()) if cfg.busy_poll else None
        from loadgen.clientwatch import ClientWatch
        self.watch = ClientWatch()
        side = [asyncio.create_task(self.watch.probe())]
        self.scraper = None
        if cfg.scrape_metrics and self.k == 0:
            from loadgen.scrape import MetricsScraper
            url = cfg.scrape_metrics if cfg.scrape_metrics != "auto" else \
                self.all_shards[0].base_url.rstrip("/") + "/metrics"
            self.scraper = MetricsScraper(url, self.run_dir, self.run_id, self.t0_ns, cfg.scrape_interval_s)
            side.append(asyncio.create_task(self.scraper.run()))
        phase_tasks: list[asyncio.Task] = []
        try:
            if cfg.warmup and self.k == 0:
                await self._warmup()  # with --workers, worker 0 warms up before the common start
            if self.wait_for_start is not None:
                self.main_start_ns = await self.wait_for_start()
                delay = self.main_start_ns - time.monotonic_ns()
                if delay > 0:
                    await asyncio.sleep(delay / 1e9)
            else:
                self.main_start_ns = time.monotonic_ns()
            # Closed-loop duration runs (infinite rate): keep queues short so the number of
            # not-yet-sent requests stays bounded; they are stamped when released.
            self.queues = [asyncio.Queue(maxsize=2 * (s.max_concurrency or 64)
                                         if self._bounded_queues() else 0) for s in self.shards]
            if self.multi_turn:
                phase_tasks = [asyncio.create_task(self._sessions())]
            else:
                phase_tasks = [asyncio.create_task(self._arrivals())]
                phase_tasks += [asyncio.create_task(self._dispatch(i)) for i in range(len(self.shards))]
            await asyncio.gather(*phase_tasks)
            while self.tasks:
                await asyncio.wait(set(self.tasks))
            end_ns = time.monotonic_ns()
            c = self.counters
            self.failure_reason = judge_counts(c.done, c.done - c.errors, cfg.max_error_rate)
            status = "failed" if self.failure_reason else "completed"
        except asyncio.CancelledError:
            end_ns = time.monotonic_ns()
            # The guard stopping a saturated run is a verdict, not an interruption: the run ends
            # completed, its in-flight requests are `cancelled` (left out of the figures).
            status = "completed" if self.stopped_early else "interrupted"
            if self.stopped_early:
                asyncio.current_task().uncancel()
            pending = [t for t in (*phase_tasks, *self.tasks) if not t.done()]
            for t in pending:
                t.cancel()
            if pending:
                # In-flight requests finish as `cancelled` records almost at once.
                await asyncio.wait(pending, timeout=10)
            if self.stopped_early:
                c = self.counters
                self.failure_reason = judge_counts(c.done, c.done - c.errors, cfg.max_error_rate)
                status = "failed" if self.failure_reason else "completed"
        except BaseException:
            for t in (*phase_tasks, *self.tasks):
                t.cancel()
            raise
        finally:
            ticker.cancel()
            if spinner is not None:
                spinner.cancel()
            for t in side:
                t.cancel()
            for c in self.clients:
                await c.close()
            duration = ((end_ns or time.monotonic_ns()) - self.main_start_ns) / 1e9
            self.writer.close(status, duration,
                              {"main_start_offset_ns": self.main_start_ns - self.t0_ns})
            self.counters.inflight = self.inflight
            self.progress.show(self.counters, self._progress_total(), duration, final=True)
        return self._finish(status, duration)

    def _finish(self, status: str, duration: float) -> RunResult:
        summary_path = None
        summary = None
        if self.write_summary:
            extra = {"failure_reason": self.failure_reason, "stopped_early": self.stopped_early,
                     **self.watch.report()}
            if self.scraper is not None:
                extra.update(self.scraper.report())
            if self.cfg.words_per_token != 1.0 or self.cfg.calibrate_isl:
                extra["calibrated_words_per_token"] = self.cfg.words_per_token
            summary, summary_path = write_summary_for(
                self.trace_path, self.cfg, self.header, duration, status, extra)
        parquet_path = None
        if self.cfg.parquet and self.write_summary:
            from loadgen.parquet import export_parquet
            parquet_path = export_parquet(self.trace_path, self.run_dir / "trace.parquet")
        return RunResult(self.run_id, self.run_dir, self.trace_path, summary_path,
                         parquet_path, summary, status, records=self.writer.written,
                         failure_reason=self.failure_reason,
                         extra={"main_start_offset_ns": self.main_start_ns - self.t0_ns,
                                "backoffs": {s.name: lim.backoffs
                                             for s, lim in zip(self.shards, self.limiters)}})

    def _progress_total(self) -> int | None:
        return self.num_main

    async def _tick(self, main_task: asyncio.Task | None) -> None:
        interval = min(self.cfg.progress_interval_s, self.cfg.flush_interval_s)
        last_show = 0.0
        while True:
            await asyncio.sleep(interval)
            self.writer.flush_if_due()
            if self.stop_check is not None and self.stop_check() and main_task is not None:
                main_task.cancel()
                return
            if self.guard is not None and self.stopped_early is None:
                reason = self.guard.sample(self.released - self.started, self.inflight)
                if reason is not None and main_task is not None:
                    self.stopped_early = reason
                    main_task.cancel()
                    return
            self.counters.inflight = self.inflight
            if self.on_progress is not None:
                self.on_progress(self.counters)
            now = time.monotonic()
            if now - last_show >= self.cfg.progress_interval_s:
                last_show = now
                self.progress.show(self.counters, self._progress_total(),
                                   max(0.0, (time.monotonic_ns() - self.main_start_ns) / 1e9))

    # -- warm-up -----------------------------------------------------------------------
    async def _warmup(self) -> None:
        """Send --warmup requests (the first prompts), bounded by the shard caps; recorded
        with warmup=true and left out of the summary."""
        jobs = []
        for i in range(self.cfg.warmup):
            s = i % len(self.shards)
            await self.limiters[s].acquire()
            self.inflight += 1
            jobs.append(asyncio.create_task(
                self._one(s, i, self.dataset.get(i), None, warmup=True, gate=False)))
        await asyncio.gather(*jobs)

    # -- main phase --------------------------------------------------------------------
    def _bounded_queues(self) -> bool:
        return self.arrival == "all-at-once" and self.cfg.duration_s is not None

    async def _arrivals(self) -> None:
        cfg = self.cfg
        n_shards = len(self.shards)
        total = cfg.num_prompts or len(self.dataset)
        if cfg.duration_s is not None and cfg.num_prompts is None:
            total = None
        if self.arrival == "replay":
            total = min(total or len(self.dataset), len(self.dataset))
        series = None
        if cfg.rate_series:
            from loadgen.arrivals import read_rate_series
            series = read_rate_series(cfg.rate_series)
        offsets = arrival_offsets(self.arrival, cfg.request_rate, cfg.burstiness, cfg.seed,
                                  self.dataset.timestamps(), cfg.ramp_up_s, series)
        timed = self.arrival != "all-at-once"
        dur_ns = None if cfg.duration_s is None else int(cfg.duration_s * 1e9)
        start = self.main_start_ns
        bounded = self._bounded_queues()
        spin_ns = int(cfg.arrival_spin_ms * 1e6)
        for seq in itertools.count():
            if total is not None and seq >= total:
                break
            try:
                off = next(offsets)
            except StopIteration:
                break
            due = start + int(off * 1e9)
            if dur_ns is not None and (due - start >= dur_ns or time.monotonic_ns() - start >= dur_ns):
                break
            if seq % self.W != self.k:
                continue
            shard = (seq // self.W) % n_shards
            # Materialise the prompt before sleeping, so the send is not late by it.
            prompt = self.dataset.get(seq) if timed else None
            if timed:
                # asyncio wakes up to 1 ms late (epoll rounds its timeout up to whole ms),
                # so sleep until just before the arrival and yield-spin the rest: sub-ms
                # schedule lag for at most arrival_spin_ms of CPU per request.
                delay = due - time.monotonic_ns()
                if delay > spin_ns:
                    await asyncio.sleep((delay - spin_ns) / 1e9)
                while time.monotonic_ns() < due:
                    await asyncio.sleep(0)
            self.released += 1
            if bounded:
                await self.queues[shard].put((seq, time.monotonic_ns(), prompt))
            else:
                self.queues[shard].put_nowait((seq, due, prompt))
                if timed:
                    # Let the dispatcher admit it and the request task send it before we
                    # spend time preparing the next prompt.
                    await asyncio.sleep(0)
                    await asyncio.sleep(0)
        for q in self.queues:
            await q.put(None)  # end of arrivals for this shard's dispatcher

    async def _dispatch(self, i: int) -> None:
        shard, lim, q = self.shards[i], self.limiters[i], self.queues[i]
        if shard.start_delay_s:
            delay = self.main_start_ns + int(shard.start_delay_s * 1e9) - time.monotonic_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
        dur_ns = None if self.cfg.duration_s is None else int(self.cfg.duration_s * 1e9)
        while True:
            item = await q.get()
            if item is None:
                return
            seq, due, prompt = item
            if prompt is None:
                prompt = self.dataset.get(seq)
            await lim.acquire()
            if self.gate is not None:
                await self.gate.acquire()
            if dur_ns is not None and time.monotonic_ns() - self.main_start_ns >= dur_ns:
                # --duration is over: requests not yet sent are not sent at all.
                lim.release()
                if self.gate is not None:
                    self.gate.release()
                continue
            self._start(i, seq, prompt, due, warmup=False)

    def _start(self, i: int, seq: int, prompt: Prompt, due: int | None, warmup: bool) -> None:
        self.inflight += 1  # counted at admission, like the shard limiter's own count
        self.started += 1
        t = asyncio.create_task(self._one(i, seq, prompt, due, warmup=warmup, gate=True))
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)

    async def _one(self, i: int, seq: int, prompt: Prompt, due: int | None, *,
                   warmup: bool, gate: bool) -> dict:
        lim = self.limiters[i]
        rid = f"{self.run_id}-{'warmup-' if warmup else ''}{seq:06d}"
        try:
            rec = await self.clients[i].send(
                prompt, request_id=rid, seq=seq, warmup=warmup, t0_ns=self.t0_ns,
                scheduled_ns=None if due is None else due - self.t0_ns,
                inflight=self.inflight, shard_inflight=lim.inflight)
        finally:
            self.inflight -= 1
            lim.release()
            if gate and self.gate is not None:
                self.gate.release()
        text = rec["generated_text"]
        if not self.cfg.save_text and text is not None:
            rec["generated_text"] = None  # multi-turn needs the answer for the next turn, not the trace
        self.writer.write(rec)
        c = self.counters
        if warmup:
            c.warmup_done += 1
            return rec
        if rec["error_class"] == "cancelled":
            return rec
        c.done += 1
        if rec["success"]:
            c.output_tokens += rec["output_tokens"] or 0
            if self.guard is not None:
                self.guard.ttfts.append(rec["ttft_ms"])
        else:
            c.errors += 1
        rec["generated_text"] = text
        return rec

    # -- multi-turn sessions -------------------------------------------------------------
    async def _sessions(self) -> None:
        """Start sessions on the arrival schedule (--request-rate counts sessions), at most
        --max-concurrency sessions at once; each plays its turns in order."""
        cfg = self.cfg
        n = cfg.num_prompts or len(self.dataset)
        if cfg.duration_s is not None and cfg.num_prompts is None:
            n = None
        offsets = arrival_offsets(self.arrival, cfg.request_rate, cfg.burstiness, cfg.seed)
        sem = asyncio.Semaphore(cfg.max_concurrency) if cfg.max_concurrency else None
        dur_ns = None if cfg.duration_s is None else int(cfg.duration_s * 1e9)
        start = self.main_start_ns
        running: set[asyncio.Task] = set()
        for idx in itertools.count():
            if n is not None and idx >= n:
                break
            due = start + int(next(offsets) * 1e9)
            if dur_ns is not None and due - start >= dur_ns:
                break
            if sem is not None:
                await sem.acquire()
            delay = due - time.monotonic_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            if dur_ns is not None and time.monotonic_ns() - start >= dur_ns:
                if sem is not None:
                    sem.release()
                break
            t = asyncio.create_task(self._session(idx, due, sem))
            running.add(t)
            t.add_done_callback(running.discard)
        while running:
            await asyncio.wait(set(running))

    async def _session(self, idx: int, due: int, sem: asyncio.Semaphore | None) -> None:
        from loadgen.sessions import MAX_TURNS, turn_prompt
        sess = self.dataset.session(idx)
        shard = idx % len(self.shards)
        dur_ns = None if self.cfg.duration_s is None else int(self.cfg.duration_s * 1e9)
        history: list[dict] = []
        try:
            for t, turn in enumerate(sess.turns):
                if t:
                    due = time.monotonic_ns() + int(turn.think_time_s * 1e9)
                    await asyncio.sleep(turn.think_time_s)
                if dur_ns is not None and time.monotonic_ns() - self.main_start_ns >= dur_ns:
                    return
                prompt = turn_prompt(sess, t, history)
                await self.limiters[shard].acquire()
                self.released += 1
                self._start_now()
                rec = await self._one(shard, idx * MAX_TURNS + t, prompt, due, warmup=False, gate=False)
                if not rec["success"]:
                    return  # the conversation cannot go on without the answer
                history = prompt.messages[1:] if sess.system else list(prompt.messages)
                history.append({"role": "assistant", "content": rec["generated_text"] or ""})
        finally:
            if sem is not None:
                sem.release()

    def _start_now(self) -> None:
        self.inflight += 1
        self.started += 1


async def _busy_poll() -> None:
    """--busy-poll: never let the event loop block in epoll. An idle (virtual) CPU takes
    up to milliseconds to wake when a packet or timer arrives; polling keeps chunk stamps
    and sends within tens of microseconds, at the price of one core."""
    while True:
        await asyncio.sleep(0)


def write_summary_for(trace_path: Path, cfg: LoadTestConfig, header: dict, duration: float,
                      status: str, extra: dict | None = None) -> tuple[dict, Path]:
    """Build summary.json from the trace on disk (so merged and re-read traces agree)."""
    from loadgen.trace import read_trace
    _, records, _ = read_trace(trace_path)
    facts = summary_run_facts(header, cfg, interrupted=status == "interrupted")
    summary = build_summary(records, duration_s=duration, run=facts,
                            percentiles=cfg.metric_percentiles, goodput=cfg.goodput)
    summary["status"] = status
    summary.update(served_shape(records))
    summary["trace_file"] = trace_path.name
    summary["workers"] = cfg.workers
    summary.update(extra or {})
    path = trace_path.parent / "summary.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return summary, path


def served_shape(records: list[dict]) -> dict:
    """What the run actually sent, beside what it asked for: the ISL distribution on the
    server's tokenizer (usage.prompt_tokens; estimated counts do not count) and the schedule
    lag (send - scheduled; includes waiting for a --max-concurrency slot)."""
    from loadgen.metrics import percentile
    main = [r for r in records if not r["warmup"] and r["error_class"] != "cancelled"]
    isl = sorted(r["input_tokens"] for r in main
                 if r["success"] and not r["input_tokens_estimated"] and r["input_tokens"] is not None)
    osl = sorted(r["output_tokens"] for r in main
                 if r["success"] and not r["output_tokens_estimated"] and r["output_tokens"] is not None)
    lag = sorted(r["queue_ns"] / 1e6 for r in main if r.get("queue_ns") is not None)
    out = {"served_isl_p50": percentile(isl, 50) if isl else None,
           "served_isl_p5": percentile(isl, 5) if isl else None,
           "served_isl_p95": percentile(isl, 95) if isl else None,
           "served_osl_p50": percentile(osl, 50) if osl else None,
           "p50_schedule_lag_ms": percentile(lag, 50) if lag else None,
           "p99_schedule_lag_ms": percentile(lag, 99) if lag else None,
           "max_schedule_lag_ms": lag[-1] if lag else None}
    return out


async def run_single(cfg: LoadTestConfig, **kw) -> RunResult:
    return await Run(cfg, **kw).execute()
