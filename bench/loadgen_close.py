"""loadgen against servers that close connections: figures for issue 10.

serve-sim runs as a separate process (`python -m loadgen.sim`), once normal and once with
--close-after-response (one response per connection, closed unannounced; a request that
reuses the connection is dropped before any answer: what a keep-alive client meets on
servers that close after each response). Reported:

  1. completion % at concurrency 1 / 4 / 64 against the closing server, with loadgen's
     connection retry and (the issue's symptom) without it;
  2. mean / p50 / p99 TTFT and E2EL of the same workload (same seed) against the normal and
     the closing server, and the difference (target: within 1 ms);
  3. wall time of `loadgen` to fail when nothing listens (whole process, interpreter start
     included) and of the preflight alone.

Usage: python bench/loadgen_close.py [--requests N] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import loadgen.runner as runner_mod  # noqa: E402
from loadgen import LoadTestConfig, run_loadtest  # noqa: E402
from loadgen.preflight import PreflightError, preflight  # noqa: E402
from loadgen.shards import ShardConfig  # noqa: E402


class SimProcess:
    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "loadgen.sim", "--port", "0", *args], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        found: dict = {}

        def read() -> None:
            for line in self.proc.stdout:
                m = re.search(r"listening on (http://\S+)", line)
                if m:
                    found["url"] = m.group(1)
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(30)
        if "url" not in found:
            self.proc.kill()
            raise RuntimeError("serve-sim did not start")
        self.url = found["url"]

    def __enter__(self) -> "SimProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _run(url: str, out: Path, concurrency: int, n: int, osl: int, retry: bool = True) -> dict:
    orig = runner_mod.client_options

    def opts(cfg, ignore_eos):
        o = orig(cfg, ignore_eos)
        o.connection_retry = retry
        return o

    runner_mod.client_options = opts
    try:
        res = run_loadtest(LoadTestConfig(base_url=url, model="sim-model", isl=256, osl=osl, num_prompts=n,
                                          max_concurrency=concurrency, seed=7, out_dir=str(out),
                                          progress=False, api_key_env=None, max_error_rate=1.0))
    finally:
        runner_mod.client_options = orig
    return res.summary


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=300, help="requests per run (default 300)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating latency rounds (default 3)")
    ap.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args()
    n = args.requests
    fig: dict = {"requests": n}
    tmp = Path(tempfile.mkdtemp(prefix="loadgen-close-"))

    print(f"1. completion against a server closing after each response ({n} requests, zero latency)")
    fig["completion"] = []
    with SimProcess("--zero-latency", "--close-after-response") as sim:
        for conc in (1, 4, 64):
            for retry in (True, False):
                s = _run(sim.url, tmp / f"c{conc}-{retry}", conc, n, 16, retry)
                row = {"concurrency": conc, "connection_retry": retry, "completed": s["completed"],
                       "failed": s["failed"], "completion_pct": 100.0 * s["completed"] / n,
                       "connection_retries": s["connection_retries"], "errors": s["error_classes"]}
                fig["completion"].append(row)
                print(f"   concurrency {conc:>2}  retry {'on ' if retry else 'off'}  completed "
                      f"{row['completion_pct']:6.2f} %  ({s['failed']} failed {s['error_classes'] or ''}, "
                      f"{s['connection_retries']} resent on a fresh connection)")

    print(f"2. the same workload (TTFT 20 ms, TPOT 2 ms, 64 tokens, concurrency 4), keep-alive vs closing server,"
          f" {args.rounds} alternating rounds (medians over rounds)")
    lat_args = ("--ttft-ms", "20", "--tpot-ms", "2", "--tokens-per-chunk", "4")
    keys = ("mean_ttft_ms", "median_ttft_ms", "p99_ttft_ms", "mean_e2el_ms", "median_e2el_ms", "p99_e2el_ms")
    rounds: dict = {"keep_alive": [], "close_after_response": []}
    split = {"resent": [], "not_resent": []}
    for r in range(args.rounds):
        for name, extra in (("keep_alive", ()), ("close_after_response", ("--close-after-response",))):
            with SimProcess(*lat_args, *extra) as sim:
                out = tmp / f"lat-{name}-{r}"
                s = _run(sim.url, out, 4, n, 64)
            rounds[name].append(s)
            if extra:
                # within one closing run: requests resent on a fresh connection vs the others
                recs = [json.loads(x) for x in (out / "trace.jsonl").read_text().splitlines()[1:-1]]
                for key, flag in (("resent", 1), ("not_resent", 0)):
                    vals = sorted(x["ttft_ms"] for x in recs if x["connection_retries"] == flag and x["success"])
                    if vals:
                        split[key].append(statistics.median(vals))
    fig["latency"] = {name: {k: statistics.median(s[k] for s in runs) for k in keys} |
                      {"completed": sum(s["completed"] for s in runs), "failed": sum(s["failed"] for s in runs),
                       "connection_retries": sum(s["connection_retries"] for s in runs)}
                      for name, runs in rounds.items()}
    a, b = fig["latency"]["keep_alive"], fig["latency"]["close_after_response"]
    print(f"   {'':<22}{'keep-alive':>12}{'closing':>12}{'diff':>10}")
    for k in keys:
        print(f"   {k:<22}{a[k]:>12.3f}{b[k]:>12.3f}{b[k] - a[k]:>+10.3f}")
    print(f"   completed {a['completed']} / {b['completed']} of {n * args.rounds}; resent on a fresh connection: "
          f"{b['connection_retries']}")
    fig["closing_median_ttft_resent_vs_not_ms"] = [statistics.median(split["resent"]),
                                                   statistics.median(split["not_resent"])]
    print(f"   in the closing runs, median TTFT of resent requests {fig['closing_median_ttft_resent_vs_not_ms'][0]:.3f}"
          f" ms vs the others {fig['closing_median_ttft_resent_vs_not_ms'][1]:.3f} ms")

    print("3. nothing listening")
    url = f"http://127.0.0.1:{_free_port()}"
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "loadgen", "--base-url", url, "--model", "m", "--api-key-env", "",
                        "--no-progress", "--out-dir", str(tmp / "refused")], cwd=ROOT, capture_output=True, text=True)
    fig["refused_process_s"] = time.monotonic() - t
    fig["refused_exit_code"] = p.returncode
    fig["refused_message"] = p.stderr.strip()
    t = time.monotonic()
    try:
        asyncio.run(preflight([ShardConfig(name="d", base_url=url, model="m", base_model="m")], "/v1/chat/completions", True))
    except PreflightError:
        pass
    fig["refused_preflight_s"] = time.monotonic() - t
    print(f"   exit {p.returncode} after {fig['refused_process_s']:.2f} s (whole process); preflight alone "
          f"{fig['refused_preflight_s'] * 1000:.1f} ms")
    print(f"   {fig['refused_message']}")
    if args.out:
        args.out.write_text(json.dumps(fig, indent=2) + "\n")


if __name__ == "__main__":
    main()
