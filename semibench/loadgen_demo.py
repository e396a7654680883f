"""The main job's embedded load test: loadgen against an in-process serve-sim, offline, landed in the
warehouse. It declares a model and sequence InferenceMAX has (gpt-oss 120B, 1k/1k, 8 GPUs) so the
placement mart has a run to place; the latency model is chosen so the run's interactivity (~270
tok/s/user) lies on some InferenceMAX frontiers of that sequence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from semibench_core import paths

DEMO_MODEL = "openai/gpt-oss-120b"
DEMO_ISL = 1024
DEMO_OSL = 1024
DEMO_NUM_GPUS = 8
DEMO_LABEL = "semibench-run-demo"


@dataclass
class DemoRun:
    run_id: str
    run_dir: Path
    status: str
    requests_landed: int


def run_and_land_demo(warehouse: Path | None = None, runs_root: Path | None = None,
                      archive_root: Path | None = None) -> DemoRun:
    """Run loadgen.run_demo (a few seconds: 1024 output tokens at 3.7 ms each) and land it."""
    from ingest.loadgen_traces import ingest_traces
    from loadgen.api import run_demo
    from loadgen.runinfo import new_run_id
    from loadgen.sim.latency import LatencyModel

    run_id = new_run_id("demo-")
    # under the archive: traces are raw data the warehouse can be rebuilt from
    run_dir = Path(runs_root or paths.archive_dir() / "loadgen") / run_id
    # 8 tokens per SSE event keeps the in-process client+server (one GIL) far from CPU-bound, so the
    # measured TPOT stays close to the model's 3.7 ms on a small shared machine.
    latency = LatencyModel(ttft_ms=40.0, tpot_ms=3.7, jitter_ms=0.2, tokens_per_chunk=8)
    result = run_demo(run_dir, latency, run_id=run_id, model=DEMO_MODEL, isl=DEMO_ISL, osl=DEMO_OSL,
                      num_prompts=16, request_rate=float("inf"), max_concurrency=16, num_gpus=DEMO_NUM_GPUS,
                      label=DEMO_LABEL)
    batch = ingest_traces([result.run_dir], Path(warehouse or paths.warehouse_path()), archive_root=archive_root)
    return DemoRun(result.run_id, Path(result.run_dir), result.status, batch.requests_landed)


def landed_demo_run(warehouse: Path) -> str | None:
    """The newest demo run already in the warehouse, if any: one demo shows the placement, so a later run
    neither waits for another nor piles simulated runs up."""
    import duckdb

    if not Path(warehouse).exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("select run_id from raw.loadgen_runs where label = ? order by run_id desc limit 1",
                          [DEMO_LABEL]).fetchone()
    except duckdb.CatalogException:
        return None  # no loadgen table yet
    finally:
        con.close()
    return row[0] if row else None


def demo_run_figures(db: Path, run_id: str) -> dict | None:
    """The demo run's headline figures from fct_runs of a built warehouse (None if it is not there)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("select completed, p99_ttft_ms, median_interactivity from fct_runs where run_id = ?",
                          [run_id]).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if row is None:
        return None
    return {"completed": row[0], "p99_ttft_ms": row[1], "median_interactivity": row[2]}
