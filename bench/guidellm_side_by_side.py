"""semibench loadgen vs GuideLLM on the same serve-sim settings: requests/s and client CPU per request.

GuideLLM (0.8) lives in a bench-only venv (it is not a project dependency):
    python3 -m venv .bench-guidellm && .bench-guidellm/bin/pip install guidellm
and runs offline on a data file (no tokenizer, no hub): the same prompts loadgen's random dataset
sends (--isl words, one estimated token each) with output_tokens_count = --osl.

Both tools run closed-loop at the same concurrency against one serve-sim process (the server is not
the bottleneck at zero latency; with TTFT/TPOT set it is, and both should reach the same rate).
GuideLLM spreads its streams over worker processes by default; loadgen runs in one process unless told
--workers N, so loadgen runs twice: one process (its CPU per request is read there), and --workers = the
machine's cores (each tool at its best on the machine; the throughput ratio is read there).
GuideLLM pays seconds of start-up (imports, worker processes) that are not per-request cost, so its
CPU per request is the marginal cost between a short and a long run of the same scenario:
(CPU_long - CPU_short) / (requests_long - requests_short). loadgen's runs in-process, measured over
the run itself. Usage: python bench/guidellm_side_by_side.py --guidellm .bench-guidellm/bin/guidellm
"""

from __future__ import annotations

import argparse
import json
import os
import re
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadgen_capacity import SimProcess, run_step  # noqa: E402
from loadgen.datasets import random_text  # noqa: E402


def write_data(path: Path, isl: int, osl: int, n: int = 4000) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            rng = random.Random(f"loadgen-random:0:{i}")
            f.write(json.dumps({"prompt": random_text(rng, isl), "output_tokens_count": osl}) + "\n")
    return path


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def guidellm_run(bin_: str, url: str, data: Path, conc: int, seconds: float, out: Path) -> dict:
    cpu0 = _children_cpu()
    cmd = [bin_, "run", "--backend", f"kind=openai_http,target={url},model=bench",
           "--profile", f"kind=concurrent,streams={conc}", "--constraint", f"kind=max_duration,seconds={seconds:g}",
           "--data", f"kind=json_file,path={data}", "--output", f"kind=json,path={out}",
           "--disable-console-interactive"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    cpu = _children_cpu() - cpu0
    if p.returncode != 0:
        raise RuntimeError(f"guidellm failed ({p.returncode}): {p.stderr[-500:]}")
    b = json.loads(out.read_text())["benchmarks"][0]
    ok = b["metrics"]["requests_per_second"]["successful"]["count"]
    ttft = b["metrics"]["time_to_first_token_ms"]["successful"]
    return {"ok": ok, "duration_s": b["duration"], "req_per_s": ok / b["duration"], "cpu_s": cpu,
            "ttft_p50_ms": ttft["median"]}


def scenario(name: str, sim_args: list[str], conc: int, osl: int, isl: int, secs: float, bin_: str,
             tmp: Path) -> dict:
    sim = SimProcess(*sim_args)
    try:
        data = write_data(tmp / f"{name}.jsonl", isl, osl)
        ours = run_step(sim, tmp / f"{name}-loadgen", duration_s=secs, max_concurrency=conc, isl=isl, osl=osl)
        cores = os.cpu_count() or 1
        spread = ours if cores == 1 else run_step(sim, tmp / f"{name}-loadgen-w{cores}", duration_s=secs,
                                                  max_concurrency=conc, isl=isl, osl=osl, workers=cores)
        short = guidellm_run(bin_, sim.url, data, conc, secs, tmp / f"{name}-g-short.json")
        long = guidellm_run(bin_, sim.url, data, conc, 3 * secs, tmp / f"{name}-g-long.json")
    finally:
        sim.close()
    g_cpu = (long["cpu_s"] - short["cpu_s"]) / max(1, long["ok"] - short["ok"])
    row = {"loadgen_req_per_s": max(ours["req_per_s"], spread["req_per_s"]),
           "loadgen_1proc_req_per_s": ours["req_per_s"], "loadgen_workers": os.cpu_count() or 1,
           "loadgen_workers_req_per_s": spread["req_per_s"], "guidellm_req_per_s": round(long["req_per_s"], 1),
           "loadgen_cpu_ms_per_req": ours["client_cpu_ms_per_req"], "guidellm_cpu_ms_per_req": round(1000 * g_cpu, 3),
           "guidellm_startup_cpu_s": round(short["cpu_s"] - g_cpu * short["ok"], 1)}
    row["throughput_ratio"] = round(row["loadgen_req_per_s"] / row["guidellm_req_per_s"], 2)
    row["cpu_ratio"] = round(row["guidellm_cpu_ms_per_req"] / max(1e-9, row["loadgen_cpu_ms_per_req"]), 1)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--guidellm", required=True, help="path of the guidellm executable (bench-only venv)")
    ap.add_argument("--step-seconds", type=float, default=5.0)
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="loadgen-vs-guidellm-"))
    rows = {}
    print(f"{'scenario':22} {'lg 1proc r/s':>12} {'lg workers r/s':>14} {'GuideLLM r/s':>12} {'ratio':>6} "
          f"{'lg cpu ms/r':>11} {'GL cpu ms/r':>11} {'ratio':>6}", flush=True)
    for name, sim_args, conc, osl in (("zero-latency c=32", ["--zero-latency"], 32, 128),
                                      ("zero-latency c=128", ["--zero-latency"], 128, 128),
                                      ("paced 20/10ms c=64", ["--ttft-ms", "20", "--tpot-ms", "10"], 64, 64)):
        slug = re.sub(r"[^a-z0-9]+", "-", name)
        r = rows[name] = scenario(slug, sim_args, conc, osl, 128, args.step_seconds, args.guidellm, tmp)
        print(f"{name:22} {r['loadgen_1proc_req_per_s']:>12} {r['loadgen_workers_req_per_s']:>14} "
              f"{r['guidellm_req_per_s']:>12} {r['throughput_ratio']:>5}x "
              f"{r['loadgen_cpu_ms_per_req']:>11} {r['guidellm_cpu_ms_per_req']:>11} {r['cpu_ratio']:>5}x", flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"results: {args.out}")


if __name__ == "__main__":
    main()
