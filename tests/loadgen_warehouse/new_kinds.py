"""The newer run kinds for the session's built warehouse (tests/loadgen_warehouse/conftest.py), each run
for real against serve-sim on 127.0.0.1:

* a `semibench loadgen --find-max rate` search against a serve-sim in its own process with a configured
  capacity (8 requests at once, fixed TTFT/TPOT), auto-landed with its sweep.json;
* a multi-turn run (synthetic sessions, think time), a shared-prefix run against a prefix-caching serve-sim
  and a Mooncake-style trace replay, landed by `semibench ingest traces` with the other extra runs.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from loadgen import LoadTestConfig, run_loadtest
from loadgen.sim.latency import LatencyModel
from loadgen.sim.run import serve_sim_in_thread

PROJECT = Path(__file__).resolve().parents[2]

# serve-sim's capacity: 8 at once, each held TTFT + (OSL - 1) x TPOT = 20 + 15 x 10 = 170 ms
SIM_CONCURRENCY, SIM_TTFT_MS, SIM_TPOT_MS, OSL = 8, 20.0, 10.0, 16
SIM_CAPACITY = SIM_CONCURRENCY / ((SIM_TTFT_MS + (OSL - 1) * SIM_TPOT_MS) / 1000)
TURNS, SESSIONS, THINK_S = 3, 4, 0.05
PREFIX_COUNT, PREFIX_LEN = 2, 2048


@dataclass
class NewKinds:
    find_max: subprocess.CompletedProcess
    sweep_dir: Path
    multi_turn: Path
    shared_prefix: Path
    mooncake: Path
    mooncake_file: Path


def _sim_process(*args: str) -> tuple[subprocess.Popen, str]:
    p = subprocess.Popen([sys.executable, "-m", "loadgen.sim", "--port", "0", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, cwd=PROJECT)
    line = p.stdout.readline()
    m = re.search(r"(http://\S+)", line)
    if not m:
        p.kill()
        raise RuntimeError(f"serve-sim did not start: {line!r}")
    return p, m.group(1)


def write_mooncake(path: Path, n: int = 40) -> Path:
    rng = random.Random(7)
    t = 0.0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            t += rng.expovariate(20) * 1000
            f.write(json.dumps({"timestamp": round(t, 3), "input_length": rng.choice([300, 700, 1100]),
                                "output_length": 4, "hash_ids": [rng.randrange(3), 1000 + i, 2000 + i]}) + "\n")
    return path


def make_new_kinds(run_cli, ws, more_runs: Path) -> NewKinds:
    proc, url = _sim_process("--max-concurrency", str(SIM_CONCURRENCY), "--ttft-ms", str(SIM_TTFT_MS),
                             "--tpot-ms", str(SIM_TPOT_MS))
    try:
        fm = run_cli(ws, "loadgen", "--base-url", url, "--model", "sim-model", "--isl", "64", "--osl", str(OSL),
                     "--find-max", "rate", "--step-duration", "3", "--api-key-env", "", "--no-progress",
                     "--runs-root", str(ws.root / "sweeps"))
    finally:
        proc.kill()
        proc.wait(10)
    sweep_dir = next((ws.root / "sweeps").iterdir())

    def cfg(out: str, url: str, **kw) -> LoadTestConfig:
        return LoadTestConfig(base_url=url, model="sim-model", out_dir=str(more_runs / out), progress=False,
                              api_key_env=None, **kw)

    with serve_sim_in_thread(LatencyModel(ttft_ms=5, tpot_ms=1)) as url:
        mt = run_loadtest(cfg("multi-turn", url, dataset="multi-turn", turns=str(TURNS), think_time=str(THINK_S),
                              isl=32, osl=8, num_prompts=SESSIONS, max_concurrency=2))
    # prefill 100 ms per 1k uncached tokens: a 2k-token prefix costs ~200 ms once, then hits the cache
    with serve_sim_in_thread(LatencyModel(ttft_ms=5, tpot_ms=1, prefix_cache=True, prefill_ms_per_1k=100)) as url:
        sp = run_loadtest(cfg("shared-prefix", url, dataset="shared-prefix", prefix_count=PREFIX_COUNT,
                              prefix_len=PREFIX_LEN, isl=32, osl=4, num_prompts=12, max_concurrency=1))
        mc_file = write_mooncake(more_runs.parent / "mooncake.jsonl")
        mc = run_loadtest(cfg("mooncake", url, dataset="mooncake", dataset_path=str(mc_file), block_tokens=256))
    for r in (mt, sp, mc):
        assert r.status == "completed", (r.run_dir, r.failure_reason)
    return NewKinds(fm, sweep_dir, mt.run_dir, sp.run_dir, mc.run_dir, mc_file)
