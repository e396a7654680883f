"""What lands beside loadgen traces (a sweep's sweep.json, a run's server_metrics.jsonl from --scrape-metrics)
is archived with its batch and comes back with `semibench rebuild`, even when the run directories are gone."""

from __future__ import annotations

import os
import shutil

import duckdb

from ingest import batch_archive
from ingest.loadgen_traces import ingest_traces
from loadgen.api import run_sweep
from loadgen.sim.latency import LatencyModel
from semibench.ops.rebuild import replay_batch

EXTRAS_SQL = {
    "sweeps": "select list((sweep_id, kind, param, sweep::varchar, source_file, source_sha256, batch_id, loaded_at) order by sweep_id) from raw.loadgen_sweeps",
    "server metrics": "select list((run_id, offset_ns, unix_ns, metric, value, loaded_at) order by all) from raw.loadgen_server_metrics",
    "runs": "select list((run_id, trace_file, summary_file, batch_id) order by run_id) from raw.loadgen_runs",
}


def extras(warehouse) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {k: con.execute(sql).fetchone()[0] for k, sql in EXTRAS_SQL.items()}


def test_sweep_and_server_metrics_are_archived_and_replayed(sim, cfg, tmp_path):
    h = sim(LatencyModel(ttft_ms=2, tpot_ms=0.5))
    sweep = run_sweep(cfg(h.base_url, osl=8, num_prompts=6, scrape_metrics="auto", scrape_interval_s=0.1,
                          dirname="sweep"), "max_concurrency", [1, 2])
    assert all((step.run_dir / "server_metrics.jsonl").is_file() for step in sweep.steps)
    warehouse, archive_root = tmp_path / "wh.duckdb", tmp_path / "archive"
    batch = ingest_traces([sweep.sweep_dir], warehouse, archive_root=archive_root)
    before = extras(warehouse)
    assert batch.sweeps == [sweep.sweep_id] and batch.server_metrics > 0
    assert len(before["sweeps"]) == 1 and len(before["runs"]) == 2 and before["server metrics"]

    (event,) = batch_archive.read_ingest_log(archive_root, "loadgen_traces")
    assert [s["sweep_id"] for s in event["sweeps"]] == [sweep.sweep_id]
    assert all(run["server_metrics"] for run in event["runs"])

    shutil.rmtree(sweep.sweep_dir)  # only the archive has the files now
    os.remove(warehouse)
    replay_batch(archive_root, event, warehouse)
    assert extras(warehouse) == before  # the original paths, batch and load time, row for row
