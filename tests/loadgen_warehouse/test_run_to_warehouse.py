"""`semibench loadgen` -> auto-ingest -> `semibench build` on a real warehouse (fixture `built`)."""

from __future__ import annotations

import json
import math

import duckdb
import pytest

from tests.loadgen_warehouse import synthetic
from tests.loadgen_warehouse.conftest import KEY_VALUE
from tests.pipeline.expected import interpolate, load_points, pareto_frontier, per_hardware
from semibench_core import paths

# the figures fct_runs reports under the summary.json names (fct_runs name: summary name)
COMPARED = {"duration_s": "duration", "completed": "completed", "failed": "failed",
            "total_input_tokens": "total_input_tokens", "total_output_tokens": "total_output_tokens",
            "request_throughput": "request_throughput", "output_throughput": "output_throughput",
            "total_token_throughput": "total_token_throughput",
            "output_throughput_per_gpu": "output_throughput_per_gpu",
            "total_token_throughput_per_gpu": "total_token_throughput_per_gpu"}
for _m in ("ttft", "tpot", "itl", "e2el"):
    for _s in ("mean", "median", "p90", "p99"):
        COMPARED[f"{_s}_{_m}_ms"] = f"{_s}_{_m}_ms"


def query(db, sql, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def run_row(db, run_id) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("select * from fct_runs where run_id = ?", [run_id])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0]))


def test_loadgen_cli_shows_progress_writes_trace_and_summary_and_lands(built):
    out, err = built.loadgen.stdout, built.loadgen.stderr
    assert "[loadgen" in err and "done" in err          # progress lines (plain, stderr is a pipe)
    assert (built.run_dir / "trace.jsonl").is_file() and (built.run_dir / "summary.json").is_file()
    summary = json.loads((built.run_dir / "summary.json").read_text())
    assert summary["completed"] == 60 and summary["model_id"] == "openai/gpt-oss-120b"
    assert f"run      {summary['run_id']}: landed, 60 requests, completed" in out
    assert built.build.returncode == 0, built.build.stdout + built.build.stderr


def test_fct_runs_matches_summary_json(built):
    summary = json.loads((built.run_dir / "summary.json").read_text())
    row = run_row(built.ws.published, summary["run_id"])
    for ours, theirs in COMPARED.items():
        assert row[ours] == pytest.approx(summary[theirs], rel=1e-9, abs=1e-12), ours
    assert row["source"] == "loadgen" and row["model_slug"] == "gpt-oss-120b" and row["hw_key"] == "b200"
    assert (row["isl"], row["osl"], row["num_gpus"]) == (1024, 128, 8)
    assert row["median_interactivity"] == pytest.approx(1000 / summary["median_tpot_ms"])
    assert row["error_rate"] == 0 and row["request_goodput"] is None  # no goodput vars set


def test_fct_runs_has_exactly_the_run_shape(built):
    got = query(built.ws.published, """select column_name, data_type from information_schema.columns
                                       where table_schema = 'main' and table_name = 'fct_runs'
                                       order by ordinal_position""")
    want = [("run_id", "VARCHAR"), ("source", "VARCHAR"), ("source_file", "VARCHAR"), ("model", "VARCHAR"),
            ("model_slug", "VARCHAR"), ("backend", "VARCHAR"), ("hw_key", "VARCHAR"), ("precision", "VARCHAR"),
            ("tp", "INTEGER"), ("num_gpus", "INTEGER"), ("isl", "INTEGER"), ("osl", "INTEGER"),
            ("request_rate", "DOUBLE"), ("burstiness", "DOUBLE"), ("max_concurrency", "INTEGER"),
            ("started_at", "TIMESTAMP"), ("duration_s", "DOUBLE"), ("num_requests", "BIGINT"),
            ("completed", "BIGINT"), ("failed", "BIGINT"), ("error_rate", "DOUBLE"),
            ("total_input_tokens", "BIGINT"), ("total_output_tokens", "BIGINT"),
            ("request_throughput", "DOUBLE"), ("request_goodput", "DOUBLE"), ("output_throughput", "DOUBLE"),
            ("total_token_throughput", "DOUBLE"), ("output_throughput_per_gpu", "DOUBLE"),
            ("total_token_throughput_per_gpu", "DOUBLE")]
    want += [(f"{s}_{m}_ms", "DOUBLE") for m in ("ttft", "tpot", "itl", "e2el") for s in ("mean", "median", "p90", "p99")]
    want += [("median_interactivity", "DOUBLE"), ("status", "VARCHAR"), ("is_simulated", "BOOLEAN")]
    assert got == want


def test_chunk_model_has_one_row_per_streamed_chunk(built):
    db = built.ws.published
    (chunks,), = query(db, "select count(*) from intermediate.int_loadgen__chunks")
    (expected,), = query(db, "select sum(num_chunks) from raw.loadgen_requests where quarantine_reasons is null")
    assert chunks == expected > 0
    # per request too, and the ITLs pooled into fct_runs are exactly those of successful requests
    assert query(db, """select count(*) from (
                            select request_id, count(*) n from intermediate.int_loadgen__chunks group by 1) c
                        join raw.loadgen_requests r using (request_id)
                        where c.n <> r.num_chunks and r.quarantine_reasons is null""") == [(0,)]


def test_killed_run_without_end_line_lands_and_builds(built):
    db = built.ws.published
    lines = built.killed_trace.read_text().split("\n")
    header = json.loads(lines[0])
    complete_requests = sum(1 for ln in lines[1:-1] if ln.startswith('{"type":"request"'))
    assert not any(ln.startswith('{"type":"end"') for ln in lines)
    (status, torn, landed), = query(db, "select end_status, torn_last_line, requests_landed from raw.loadgen_runs "
                                        "where run_id = ?", [header["run_id"]])
    assert status is None and torn is True and landed == complete_requests >= 10
    row = run_row(db, header["run_id"])
    assert row["num_requests"] == complete_requests and row["completed"] == complete_requests
    assert row["duration_s"] > 0 and row["p99_ttft_ms"] > 0  # duration estimated from the requests
    (stg_status,), = query(db, "select status from staging.stg_loadgen__runs where run_id = ?", [header["run_id"]])
    assert stg_status == "incomplete"


def test_placement_on_inferencemax_curves_matches_independent_computation(built):
    rows = query(built.ws.published, """
        select hw_key, run_interactivity, run_tput_per_gpu, frontier_tput_per_gpu, ratio_to_frontier,
               nearest_point_interactivity, nearest_point_tput_per_gpu, nearest_point_log_distance,
               best_frontier_hw_key, best_frontier_tput_per_gpu, has_nearest_point, sequence_slug
        from mart_runs__inferencemax_placement where run_id = ? order by hw_key""", [synthetic.RUN_ID])
    points = per_hardware(load_points(paths.sample_dir(), "interactivity"))
    groups = {hw: pts for (m, s, hw), pts in points.items() if m == "gpt-oss-120b" and s == "1k_1k"}
    x, y = synthetic.INTERACTIVITY, synthetic.TPUT_PER_GPU
    assert [r[0] for r in rows] == sorted(groups)
    frontier_at = {hw: interpolate(pareto_frontier(pts), x) for hw, pts in groups.items()}
    assert sum(v is not None for v in frontier_at.values()) >= 3  # the run sits inside several frontiers
    best = max((v, hw) for hw, v in frontier_at.items() if v is not None)
    dist = {hw: min(math.hypot(math.log(x) - math.log(px), math.log(y) - math.log(py)) for px, py in pts)
            for hw, pts in groups.items()}
    nearest_hw = min(dist, key=dist.get)
    for hw, rx, ry, ft, ratio, nx, ny, d, best_hw, best_t, has_nearest, seq in rows:
        assert seq == "1k_1k" and rx == pytest.approx(x) and ry == pytest.approx(y)
        if frontier_at[hw] is None:
            assert ft is None and ratio is None
        else:
            assert ft == pytest.approx(frontier_at[hw], rel=1e-9)
            assert ratio == pytest.approx(y / frontier_at[hw], rel=1e-9)
        assert d == pytest.approx(dist[hw], rel=1e-9)
        assert math.hypot(math.log(x) - math.log(nx), math.log(y) - math.log(ny)) == pytest.approx(d)
        assert (best_hw, best_t) == (best[1], pytest.approx(best[0]))
        assert has_nearest == (hw == nearest_hw)


def test_secret_key_value_never_reaches_the_warehouse(built):
    for db in (built.ws.warehouse, built.ws.published):
        assert KEY_VALUE.encode() not in db.read_bytes(), db
    con = duckdb.connect(str(built.ws.published), read_only=True)
    try:
        for table in ("raw.loadgen_runs", "raw.loadgen_requests"):
            (hits,), = con.execute(f"select count(*) from {table} t where cast(to_json(t) as varchar) like ?",
                                   [f"%{KEY_VALUE}%"]).fetchall()
            assert hits == 0, table
        (named,), = con.execute("select count(*) from raw.loadgen_runs where cast(shards as varchar) like ?",
                                ["%LGW_TEST_API_KEY%"]).fetchall()
        assert named == 1  # the variable's *name* is recorded, as documented
    finally:
        con.close()


def test_build_over_a_poisoned_run_passes_with_warnings_only(built):
    """The poisoned run's bad records are in stg_loadgen__quarantine (the build warns), its usable rest is in
    fct_runs, and no error-level test failed (the build published)."""
    assert built.build.returncode == 0, built.build.stdout + built.build.stderr
    db = built.ws.published
    by_kind = dict(query(db, "select record_kind, count(*) from staging.stg_loadgen__quarantine where batch_id = ? "
                             "group by 1", [synthetic.POISONED_RUN_ID]))
    assert by_kind == {"request": len(synthetic.POISONS) + 2, "end": 1, "summary": 1}
    (killed,), = query(db, "select count(*) from staging.stg_loadgen__quarantine where batch_id <> ?",
                       [synthetic.POISONED_RUN_ID])
    assert killed == 1  # the killed run's half-written last line
    assert query(db, "select count(*) from staging.stg_loadgen__quarantine where family <> 'loadgen' or reasons is null "
                     "or record_json is null or record_locator is null or source_file is null") == [(0,)]
    row = run_row(db, synthetic.POISONED_RUN_ID)
    assert row["num_requests"] == synthetic.N - len(synthetic.POISONS) - 1 and row["status"] == "incomplete"
    assert query(db, "select count(*) from staging.stg_loadgen__summaries where run_id = ?",
                 [synthetic.POISONED_RUN_ID]) == [(0,)]
    out = built.build.stdout + built.build.stderr
    assert "quarantine_is_empty_stg_loadgen__quarantine" in out and "WARN" in out, out[-3000:]
