"""The synthetic loadgen-run generator: deterministic, and rows shaped as loadgen writes them."""

from __future__ import annotations

import duckdb
import pytest

from bench.warehouse_scale.generate import generate, plan

N, PER_RUN = 6000, 2500


def _rows(path, table):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select * from raw.{table} order by all").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    out = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        path = root / name / "semibench.duckdb"
        specs = plan(N, PER_RUN, seed=seed, chunks=(8, 24), warmup=4)
        generate(path, specs, seed=seed)
        out[name] = path
    return out


def test_plan_splits_the_requests_into_runs():
    specs = plan(N, PER_RUN, first_run=5)
    assert [s.requests for s in specs] == [2500, 2500, 1000]
    assert [s.index for s in specs] == [5, 6, 7]
    assert len({s.run_id for s in specs}) == 3


def test_same_seed_same_rows_other_seed_other_rows(generated):
    for table in ("loadgen_runs", "loadgen_requests"):
        assert _rows(generated["a"], table) == _rows(generated["b"], table), table
    assert _rows(generated["a"], "loadgen_requests") != _rows(generated["c"], "loadgen_requests")


def q(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_request_rows_are_consistent_with_their_chunks(generated):
    bad = q(generated["a"], """
        select request_id from raw.loadgen_requests
        where num_chunks <> len(chunk_ns)
           or len(itl_ms) <> greatest(num_chunks - 1, 0)
           or (num_chunks > 0 and abs(ttft_ms - chunk_ns[1] / 1e6) > 1e-9)
           or (success and abs(e2el_ms - chunk_ns[num_chunks] / 1e6) > 1e-9)
           or (success and num_chunks > 1
               and abs(tpot_ms - (e2el_ms - ttft_ms) / (output_tokens - 1)) > 1e-9)
           or (not success and (e2el_ms is not null or tpot_ms is not null))
           or (success and num_chunks not between 8 and 24)
           -- chunks strictly increasing; each ITL is its gap rounded to the microsecond
           or len(list_filter(range(1, num_chunks), lambda k: chunk_ns[k + 1] <= chunk_ns[k])) > 0
           or len(list_filter(range(1, num_chunks),
                  lambda k: abs(itl_ms[k] - (chunk_ns[k + 1] - chunk_ns[k]) / 1e6) > 0.0005000001)) > 0
           or send_unix_ns is null or send_offset_ns < 0
        limit 5""")
    assert bad == []


def test_warmup_failures_and_run_rows(generated):
    (runs, rows, warm, fail_5xx, disc, main), = q(generated["a"], """
        select count(distinct run_id), count(*), count(*) filter (where warmup),
               count(*) filter (where error_class = 'http_5xx' and num_chunks = 0 and not success),
               count(*) filter (where error_class = 'disconnected' and num_chunks > 0 and not success),
               count(*) filter (where not warmup)
        from raw.loadgen_requests""")
    assert (runs, rows, warm, main) == (3, N + 12, 12, N)
    assert 0.002 * N < fail_5xx < 0.01 * N and 0.002 * N < disc < 0.01 * N  # ~0.5 % each
    mismatched = q(generated["a"], """
        select r.run_id from raw.loadgen_runs r
        join (select run_id, count(*) n, min(scheduled_offset_ns) filter (where not warmup) first_ns
              from raw.loadgen_requests group by run_id) q using (run_id)
        where r.requests_landed <> q.n or r.end_requests_written <> q.n or r.end_duration_s <= 0
           or r.end_main_start_offset_ns > q.first_ns or r.num_prompts + r.warmup_requests <> q.n""")
    assert mismatched == []
