"""One real warehouse for the loadgen-warehouse tests, built once per module run:

* InferenceMAX bundled sample ingested (the curves runs are placed on);
* the done-criterion command, scaled down, through the real `semibench loadgen` CLI against serve-sim on
  127.0.0.1, with an API key the server requires (auto-ingested);
* a standalone `loadgen` process killed with SIGKILL mid-run, plus a torn last line (`semibench ingest traces`);
* a run with hand-picked numbers written with loadgen's own TraceWriter (for the placement mart);
* a poisoned run (synthetic.write_poisoned_run): its bad records land quarantined, so the ingest exits 3
  and the build passes with warnings only;
* the newer run kinds (new_kinds.py): a --find-max search against a serve-sim of known capacity, a
  multi-turn run, a shared-prefix run against a prefix-caching serve-sim and a Mooncake trace replay;
* then a real `semibench build`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from loadgen.sim.latency import LatencyModel
from loadgen.sim.run import serve_sim_in_thread
from semibench_core import paths
from tests.conftest import Workspace, make_workspace
from tests.loadgen.conftest import loadgen_cli, wait_for_lines
from tests.loadgen_warehouse.new_kinds import NewKinds, make_new_kinds
from tests.loadgen_warehouse.synthetic import write_placement_run, write_poisoned_run

KEY_ENV = "LGW_TEST_API_KEY"
KEY_VALUE = "sk-lgw-SENTINEL-7d41c9e2b6"  # must never reach the warehouse


def run_cli(ws: Workspace, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """The real `semibench` CLI in the workspace, with the API key in its environment."""
    return subprocess.run([sys.executable, "-m", "semibench.cli", *args], cwd=ws.root,
                          env={**ws.env, KEY_ENV: KEY_VALUE}, capture_output=True, text=True, timeout=timeout)


@dataclass
class Built:
    ws: Workspace
    loadgen: subprocess.CompletedProcess   # the `semibench loadgen` run
    run_dir: Path                          # its run directory
    killed_trace: Path
    synthetic_trace: Path
    failed_run: Path                       # a run in which every request failed (status failed)
    poisoned_trace: Path
    ingest: subprocess.CompletedProcess    # `semibench ingest traces` of the killed, synthetic, failed and poisoned runs
    build: subprocess.CompletedProcess
    new_kinds: NewKinds | None = None      # find-max, multi-turn, shared-prefix, Mooncake runs


def _the_only_run_dir(root: Path) -> Path:
    dirs = [p.parent for p in root.rglob("trace.jsonl")]
    assert len(dirs) == 1, dirs
    return dirs[0]


def _killed_run(root: Path) -> Path:
    """A standalone loadgen process killed outright mid-run: its trace has no end line."""
    with serve_sim_in_thread(LatencyModel(ttft_ms=5, tpot_ms=20)) as url:
        out = root / "killed"
        proc = loadgen_cli("--base-url", url, "--model", "sim-model", "--isl", "64", "--osl", "32",
                           "--num-prompts", "400", "--request-rate", "40", "--max-concurrency", "8",
                           "--api-key-env", "", "--no-progress", "--out-dir", str(out))
        try:
            wait_for_lines(out / "trace.jsonl", 10)
        finally:
            proc.kill()
            proc.wait(10)
    trace = out / "trace.jsonl"
    with trace.open("a", encoding="utf-8") as f:
        f.write('{"type":"request","run_id":"torn-by-kil')  # what a kill mid-write leaves behind
    return trace


def _failed_run(root: Path) -> Path:
    """A run against a server answering 500 to everything: it lands, with status failed."""
    from loadgen import LoadTestConfig, run_loadtest

    with serve_sim_in_thread(LatencyModel(ttft_ms=1, tpot_ms=1, error_rate=1.0)) as url:
        res = run_loadtest(LoadTestConfig(base_url=url, model="openai/gpt-oss-120b", isl=1024, osl=16,
                                          num_prompts=5, out_dir=str(root / "failed"), progress=False,
                                          api_key_env=None))
    assert res.status == "failed"
    return res.run_dir


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    ws = make_workspace(tmp_path_factory, "loadgen-warehouse")
    proc = run_cli(ws, "ingest", "inferencemax", "--from", str(paths.sample_dir()), "--quiet")
    assert proc.returncode == 0, proc.stderr

    os.environ[KEY_ENV] = KEY_VALUE  # serve-sim (in this process) reads the key it requires from here
    try:
        with serve_sim_in_thread(LatencyModel(ttft_ms=5, tpot_ms=0.3), api_key_env=KEY_ENV) as url:
            lg = run_cli(ws, "loadgen", "--base-url", url, "--model", "openai/gpt-oss-120b", "--dataset", "random",
                         "--isl", "1024", "--osl", "128", "--request-rate", "200", "--num-prompts", "60",
                         "--num-gpus", "8", "--metadata", "hw_key=b200", "--metric-percentiles", "50,90,99",
                         "--api-key-env", KEY_ENV, "--runs-root", str(ws.root / "runs"))
    finally:
        os.environ.pop(KEY_ENV, None)
    assert lg.returncode == 0, lg.stdout + lg.stderr
    run_dir = _the_only_run_dir(ws.root / "runs")

    killed = _killed_run(ws.root / "more-runs")
    synthetic = write_placement_run(ws.root / "more-runs" / "synthetic")
    failed = _failed_run(ws.root / "more-runs")
    poisoned = write_poisoned_run(ws.root / "more-runs" / "poisoned")
    new_kinds = make_new_kinds(run_cli, ws, ws.root / "more-runs")
    ingest = run_cli(ws, "ingest", "traces", str(ws.root / "more-runs"))
    assert ingest.returncode == 3, ingest.stdout + ingest.stderr  # quarantined records (killed + poisoned runs)

    build = run_cli(ws, "build", "--quiet")
    return Built(ws, lg, run_dir, killed, synthetic, failed, poisoned, ingest, build, new_kinds)
