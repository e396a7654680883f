"""How much load can one loadgen process generate, and how accurate are its timings?

Starts serve-sim as a *separate process* (so the client's CPU is measured alone) with
--record-emissions: for every token event it keeps the CLOCK_MONOTONIC time at which it
wrote it. The client stamps every socket read with the same clock, so for each chunk

    timing error = client receive time - server emission time

is exactly how late the client saw the chunk: loopback transit plus the client's
event-loop queueing. It is the error that leaks into TTFT / ITL. For open-loop (Poisson)
steps we also report the arrival-schedule lag (send - scheduled).

Scenarios (each step runs --step-seconds):
  closed   zero-latency server, rate inf, concurrency C: raw request/chunk capacity
  rate     zero-latency server, Poisson at increasing rates: highest rate kept up with
           (no failures, p99 schedule lag < 5 ms) with p99 timing error < 1 ms
  paced    TTFT 20 ms / TPOT 10 ms, concurrency C: many streams each sending a chunk
           every 10 ms (what real servers do), chunk rate = C * 100/s
  poll     the rate steps again with --busy-poll (event loop never sleeps)
  workers  the best closed step again with --workers 2 (traces merged)

Client CPU per request = (user+sys CPU of the load-generating process(es) during the
run) / requests completed. Usage: python bench/loadgen_capacity.py [--quick] [--out F]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadgen.config import LoadTestConfig  # noqa: E402
from loadgen.metrics import percentile  # noqa: E402
from loadgen.runner import Run  # noqa: E402
from loadgen.trace import read_trace  # noqa: E402
from loadgen.workers import run_with_workers  # noqa: E402


class SimProcess:
    def __init__(self, *args: str):
        self.p = subprocess.Popen([sys.executable, "-m", "loadgen.sim", "--port", "0",
                                   "--record-emissions", *args],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  cwd=Path(__file__).resolve().parents[1])
        line = self.p.stdout.readline()
        m = re.search(r"(http://\S+)", line)
        if not m:
            raise RuntimeError(f"serve-sim did not start: {line!r}")
        self.url = m.group(1)

    def _req(self, path: str, method: str = "GET") -> dict:
        req = urllib.request.Request(self.url + path, method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.load(r)

    def emissions(self) -> dict:
        return self._req("/sim/emissions")

    def reset(self) -> None:
        self._req("/sim/reset", "POST")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.p.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.p.terminate()
        self.p.wait(10)


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def run_step(sim: SimProcess, out: Path, **cfg_kw) -> dict:
    sim.reset()
    kw = {"isl": 128, "osl": 128, **cfg_kw}
    cfg = LoadTestConfig(base_url=sim.url, model="bench", api_key_env=None, progress=False,
                         out_dir=str(out), save_text=False, **kw)
    workers = cfg.workers > 1
    who = resource.RUSAGE_CHILDREN if workers else resource.RUSAGE_SELF
    srv0, cpu0, wall0 = sim.cpu_s(), _cpu(who), time.monotonic()
    if workers:
        res = asyncio.run(run_with_workers(cfg))
    else:
        # The measured run writes its trace but not the summary (that is post-processing).
        res = asyncio.run(Run(cfg, write_summary=False).execute())
    wall, cpu, srv = time.monotonic() - wall0, _cpu(who) - cpu0, sim.cpu_s() - srv0
    header, recs, end = read_trace(res.trace_path)
    recs = [r for r in recs if not r["warmup"]]
    ok = [r for r in recs if r["success"]]
    emis = sim.emissions()
    t0 = header["start_mono_ns"]
    errs = []
    for r in ok:
        server = emis.get(r["request_id"])
        if not server or len(server) != len(r["chunk_ns"]):
            continue
        base = t0 + r["send_offset_ns"]
        errs += [(base + c - s) / 1e6 for c, s in zip(r["chunk_ns"], server)]
    errs.sort()
    # Schedule lag only means something for open-loop (timed) arrivals.
    timed = cfg.request_rate != float("inf")
    lags = sorted((r["send_offset_ns"] - r["scheduled_offset_ns"]) / 1e6 for r in recs
                  if timed and r["scheduled_offset_ns"] is not None)
    dur = end["duration_s"]
    chunks = sum(r["num_chunks"] for r in ok)
    return {
        "requests": len(recs), "ok": len(ok), "errors": len(recs) - len(ok),
        "duration_s": round(dur, 3),
        "req_per_s": round(len(ok) / dur, 1), "chunks_per_s": round(chunks / dur, 0),
        "client_cpu_ms_per_req": round(1000 * cpu / max(1, len(ok)), 3),
        "client_cpu_util": round(cpu / wall, 2), "server_cpu_util": round(srv / wall, 2),
        "err_p50_ms": round(percentile(errs, 50), 3), "err_p99_ms": round(percentile(errs, 99), 3),
        "err_max_ms": round(errs[-1], 3) if errs else None, "chunks_checked": len(errs),
        "lag_p50_ms": round(percentile(lags, 50), 3) if lags else None,
        "lag_p99_ms": round(percentile(lags, 99), 3) if lags else None,
    }


def show(name: str, param: str, row: dict) -> None:
    print(f"{name:8} {param:>10} {row['req_per_s']:>8} {row['chunks_per_s']:>9} "
          f"{row['client_cpu_ms_per_req']:>8} {row['client_cpu_util']:>6} {row['server_cpu_util']:>6} "
          f"{row['err_p50_ms']:>7} {row['err_p99_ms']:>7} {str(row['lag_p99_ms']):>8} {row['errors']:>5}",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--step-seconds", type=float, default=3.0, help="length of each step")
    ap.add_argument("--quick", action="store_true", help="fewer, shorter steps (smoke test)")
    ap.add_argument("--out", type=Path, help="write all results as JSON here")
    ap.add_argument("--guidellm", help="also run GuideLLM (path of its executable, in a bench-only venv) on the "
                                       "same serve-sim settings and print both side by side "
                                       "(bench/guidellm_side_by_side.py)")
    args = ap.parse_args()
    secs = 1.0 if args.quick else args.step_seconds
    tmp = Path(tempfile.mkdtemp(prefix="loadgen-capacity-"))
    results: dict = {"step_seconds": secs, "cpus": os.cpu_count(), "closed": {}, "rate": {},
                     "paced": {}, "workers": {}}
    print(f"{'scenario':8} {'param':>10} {'req/s':>8} {'chunks/s':>9} {'cpu ms/r':>8} "
          f"{'c.cpu':>6} {'s.cpu':>6} {'err p50':>7} {'err p99':>7} {'lag p99':>8} {'fail':>5}")

    zero = SimProcess("--zero-latency")
    try:
        for c in ([4, 32] if args.quick else [1, 4, 16, 64]):
            row = run_step(zero, tmp / f"closed-{c}", duration_s=secs, max_concurrency=c)
            results["closed"][c] = row
            show("closed", f"c={c}", row)
        best_rate = None
        for rate in ([50, 200] if args.quick else [25, 50, 100, 200, 300, 400, 600, 800]):
            row = run_step(zero, tmp / f"rate-{rate}", duration_s=secs, request_rate=float(rate))
            results["rate"][rate] = row
            show("rate", f"r={rate}", row)
            # Keeping up = every request done and sends on schedule (p99 lag < 5 ms).
            keeps_up = row["errors"] == 0 and row["lag_p99_ms"] < 5.0
            if keeps_up and row["err_p99_ms"] < 1.0:
                best_rate = (rate, row)
            if not keeps_up:
                break
        results["best_rate_under_1ms_p99"] = best_rate and {"rate": best_rate[0], **best_rate[1]}
        # The same open-loop steps with --busy-poll (no idle-CPU wake-up delay).
        best_poll = None
        for rate in ([50] if args.quick else [25, 100, 200, 300, 400, 600]):
            row = run_step(zero, tmp / f"poll-{rate}", duration_s=secs, request_rate=float(rate),
                           busy_poll=True)
            results.setdefault("rate_busy_poll", {})[rate] = row
            show("poll", f"r={rate}", row)
            keeps_up = row["errors"] == 0 and row["lag_p99_ms"] < 5.0
            if keeps_up and row["err_p99_ms"] < 1.0:
                best_poll = (rate, row)
            if not keeps_up:
                break
        results["best_rate_under_1ms_p99_busy_poll"] = best_poll and {"rate": best_poll[0], **best_poll[1]}
        best_c = max(results["closed"], key=lambda k: results["closed"][k]["req_per_s"])
        row = run_step(zero, tmp / "workers", duration_s=secs, max_concurrency=best_c, workers=2)
        results["workers"][f"c={best_c},w=2"] = row
        show("workers", f"c={best_c},w2", row)
    finally:
        zero.close()

    paced = SimProcess("--ttft-ms", "20", "--tpot-ms", "10")
    try:
        for c in ([32] if args.quick else [16, 64, 128, 256]):
            row = run_step(paced, tmp / f"paced-{c}", duration_s=max(secs, 2.0),
                           max_concurrency=c, osl=64)
            results["paced"][c] = row
            show("paced", f"c={c}", row)
    finally:
        paced.close()

    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results: {args.out}")
    if args.guidellm:
        from bench import guidellm_side_by_side as gl
        print("semibench loadgen vs GuideLLM (same serve-sim, same concurrency):")
        for name, sim_args, conc, osl in (("zero-latency c=32", ["--zero-latency"], 32, 128),
                                          ("paced 20/10ms c=64", ["--ttft-ms", "20", "--tpot-ms", "10"], 64, 64)):
            r = results.setdefault("vs_guidellm", {})[name] = gl.scenario(
                name.split()[0], sim_args, conc, osl, 128, max(secs, 3.0), args.guidellm, tmp)
            print(f"  {name}: {r['loadgen_req_per_s']} vs {r['guidellm_req_per_s']} req/s "
                  f"({r['throughput_ratio']}x), CPU {r['loadgen_cpu_ms_per_req']} vs "
                  f"{r['guidellm_cpu_ms_per_req']} ms/request ({r['cpu_ratio']}x less)", flush=True)
    for label, best in (("", best_rate), (" (--busy-poll)", best_poll)):
        if best:
            r = best[1]
            print(f"Highest Poisson rate with p99 timing error < 1 ms{label}: {best[0]} req/s "
                  f"({r['chunks_per_s']:.0f} chunks/s, {r['client_cpu_ms_per_req']} ms client "
                  f"CPU/request)")
        else:
            print(f"No Poisson rate tried kept p99 timing error < 1 ms{label}")


if __name__ == "__main__":
    main()
