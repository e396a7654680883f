"""Issue 10 in the warehouse: a failed run lands as failed with no latency figures, runs against serve-sim
are flagged and kept out of the own-run marts, production runs of the main job never land the demo, and
warehouses from before these fields gain them."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.loadgen_warehouse.synthetic import RUN_ID as SYNTHETIC_RUN_ID


def query(db, sql, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_failed_run_lands_failed_with_null_latencies(built):
    summary = json.loads((built.failed_run / "summary.json").read_text())
    (status, completed, failed, ttft, e2el, interactivity), = query(built.ws.published, """
        select status, completed, failed, p99_ttft_ms, median_e2el_ms, median_interactivity
        from fct_runs where run_id = ?""", [summary["run_id"]])
    assert (status, completed, failed) == ("failed", 0, 5)
    assert ttft is None and e2el is None and interactivity is None
    assert summary["status"] == "failed" and summary["p99_ttft_ms"] is None


def test_every_run_of_the_build_says_whether_it_was_simulated(built):
    flags = dict(query(built.ws.published, "select run_id, is_simulated from fct_runs where source = 'loadgen'"))
    cli_run = json.loads((built.run_dir / "summary.json").read_text())["run_id"]
    # the `semibench loadgen` run went to a serve-sim in another process: the preflight recognised it
    assert flags[cli_run] is True and flags[SYNTHETIC_RUN_ID] is False
    assert query(built.ws.published, "select count(*) from fct_runs where is_simulated is null") == [(0,)]
    statuses = dict(query(built.ws.published, "select run_id, status from fct_runs where source = 'loadgen'"))
    assert statuses[cli_run] == statuses[SYNTHETIC_RUN_ID] == "completed"


def test_own_run_marts_leave_simulated_runs_out(built):
    db = built.ws.published
    real, simulated = query(db, """
        select count(*) filter (where not is_simulated), count(*) filter (where is_simulated)
        from fct_runs where source = 'loadgen' and model = 'openai/gpt-oss-120b'""")[0]
    assert real >= 1 and simulated >= 2          # the synthetic run; the CLI run and the failed run
    own, = query(db, """select coalesce(sum(runs), 0) from mart_model_latency_vs_inferencemax
                        where model_name = 'gpt-oss-120b' and source = 'loadgen' and is_own_run""")[0]
    flagged, = query(db, """select coalesce(sum(runs), 0) from mart_model_latency_vs_inferencemax
                            where model_name = 'gpt-oss-120b' and is_simulated""")[0]
    assert (own, flagged) == (real, simulated)
    assert query(db, """select count(*) from mart_model_latency_vs_inferencemax
                        where is_simulated and is_own_run""") == [(0,)]
    (loadgen_runs, simulated_runs), = query(db, """select loadgen_runs, simulated_runs from mart_model_overview
                                                   where model_name = 'gpt-oss-120b'""")
    assert (loadgen_runs, simulated_runs) == (real, simulated)
    # the placement mart carries the flag (the demo, placed and flagged, is checked on the sample in tests/models)
    placed = dict(query(db, "select distinct run_id, is_simulated from mart_runs__inferencemax_placement"))
    assert placed.get(SYNTHETIC_RUN_ID) is False


@pytest.mark.parametrize("source", ["dir", "live"])
def test_the_main_job_runs_the_serve_sim_demo_only_on_the_sample(tmp_path, source):
    from semibench.pipeline import PipelineState, step_loadgen_demo

    state = PipelineState(source=source, warehouse=tmp_path / "wh.duckdb", archive_root=tmp_path / "archive")
    assert step_loadgen_demo(state) == "skipped"
    assert state.summary.loadgen_run_id is None
    assert not (tmp_path / "wh.duckdb").exists() and not (tmp_path / "archive").exists()


def test_a_warehouse_from_before_the_new_fields_gains_them_and_lands(tmp_path):
    """Older raw tables lack `simulated` / `connection_retries`: landing a new trace adds the columns."""
    from ingest.land import connect
    from ingest.loadgen_traces import ingest_traces
    from tests.loadgen_warehouse.synthetic import write_placement_run

    wh = tmp_path / "old.duckdb"
    connect(wh).close()
    con = duckdb.connect(str(wh))
    # what a warehouse created before these fields looks like
    con.execute("alter table raw.loadgen_runs drop column simulated")
    con.execute("alter table raw.loadgen_requests drop column connection_retries")
    cols = {r[0] for r in con.execute("select column_name from information_schema.columns "
                                      "where table_schema = 'raw' and table_name like 'loadgen_%'").fetchall()}
    con.close()
    assert "simulated" not in cols and "connection_retries" not in cols

    run_dir = tmp_path / "run"
    write_placement_run(run_dir)
    batch = ingest_traces([run_dir], wh, archive_root=tmp_path / "archive")
    assert batch.requests_landed > 0
    con = connect(wh)
    try:
        assert con.execute("select simulated from raw.loadgen_runs").fetchall() == [(False,)]
        assert con.execute("select distinct connection_retries from raw.loadgen_requests").fetchall() == [(0,)]
    finally:
        con.close()
