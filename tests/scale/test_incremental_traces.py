"""int_loadgen__chunks and fct_requests are incremental per run: a build processes only new runs and runs
replaced by a grown trace, deletes the rows of runs removed from raw, leaves unchanged runs untouched, and
gives the same tables as a --full-refresh build, row for row (as do int_runs__loadgen and fct_runs).

    B1  runs 0, 1, 2 (synthetic, straight into raw) + one run landed by the real trace ingester
    B2  nothing new: nothing is modelled
    B3  run 3 lands, run 0 is replaced by a grown version (new batch_id / loaded_at), run 1 is removed
    B4  the goodput SLO var changes: fct_requests re-judges every run, the chunks stay
"""

from __future__ import annotations

import pytest

from ingest.loadgen_traces import ingest_traces
from tests.loadgen_warehouse.synthetic import RUN_ID as INGESTED_RUN, write_placement_run
from tests.scale.helpers import INCREMENTAL, Warehouse

CHUNKS, REQUESTS = "intermediate.int_loadgen__chunks", "main.fct_requests"


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale-incremental")
    w = Warehouse(root)
    for index in (0, 1, 2):
        w.land(index, 200)
    ingest_traces([write_placement_run(root / "ingested")], w.path, archive_root=root / "archive")
    w.b1 = w.build()
    w.after_b1 = {t: w.modelled_by(t) for t in INCREMENTAL}
    w.b2 = w.build()
    w.after_b2 = {t: w.modelled_by(t) for t in INCREMENTAL}
    w.land(3, 150)
    w.land(0, 260, generation=1)  # the trace grew: more requests, landed again
    w.remove(1)
    w.b3 = w.build()
    w.after_b3 = {t: w.modelled_by(t) for t in INCREMENTAL}
    return w


def test_first_build_models_every_run(wh):
    runs = {wh.run_id(i) for i in (0, 1, 2)} | {INGESTED_RUN}
    for table in INCREMENTAL:
        assert wh.after_b1[table] == {r: {wh.b1.invocation_id} for r in runs}, table


def test_a_build_with_nothing_new_models_nothing(wh):
    assert wh.after_b2 == wh.after_b1


def test_new_replaced_and_removed_runs(wh):
    b1, b3 = wh.b1.invocation_id, wh.b3.invocation_id
    for table in INCREMENTAL:
        assert wh.after_b3[table] == {
            wh.run_id(0): {b3},        # replaced: only the new version's rows
            wh.run_id(2): {b1},        # unchanged: untouched
            wh.run_id(3): {b3},        # new
            INGESTED_RUN: {b1},
        }, table                       # run 1 removed from raw: gone
    # the replaced run has its grown request count (3 warm-up + 260), not the old one
    assert wh.query(f"select count(*) from {REQUESTS} where run_id = ?", [wh.run_id(0)]) == [(263,)]
    (n_chunks, expected), = wh.query(
        f"select (select count(*) from {CHUNKS} where run_id = $1), "
        "(select sum(num_chunks) from raw.loadgen_requests where run_id = $1)", [wh.run_id(0)])
    assert n_chunks == expected > 0
    assert wh.query("select count(*) from main.fct_runs where run_id = ?", [wh.run_id(1)]) == [(0,)]


def test_incremental_equals_full_refresh(wh):
    copy = wh.full_refresh_copy("full-refresh")
    assert wh.differences_from(copy) == {t: 0 for t in wh.differences_from(copy)}


def test_goodput_var_change_rejudges_requests_and_equals_full_refresh(wh):
    # (the int_runs__loadgen unit tests assume no SLOs are set)
    slo = ["--vars", "{goodput_ttft_ms: 300, goodput_tpot_ms: 15}", "--exclude-resource-type", "unit_test"]
    b4 = wh.build(*slo)
    by = {t: wh.modelled_by(t) for t in INCREMENTAL}
    assert by[CHUNKS] == wh.after_b3[CHUNKS]                          # chunks do not depend on the SLOs
    assert set().union(*by[REQUESTS].values()) == {b4.invocation_id}  # every request re-judged
    assert wh.query(f"select count(*) from {REQUESTS} where meets_goodput_slos is not null") != [(0,)]
    copy = wh.full_refresh_copy("full-refresh-slo", *slo)
    assert wh.differences_from(copy) == {t: 0 for t in wh.differences_from(copy)}


def test_a_table_built_before_the_model_was_incremental_asks_for_a_full_refresh(tmp_path):
    w = Warehouse(tmp_path)
    w.land(0, 20)
    w.build()
    import duckdb
    con = duckdb.connect(str(w.path))
    con.execute(f"create or replace table {CHUNKS} as select * exclude (run_batch_key) from {CHUNKS}")
    con.close()
    b = w.dbt("build", "--select", "int_loadgen__chunks")
    assert not b.ok and "has no run_batch_key column" in b.output and "--full-refresh" in b.output
    assert w.dbt("build", "--select", "int_loadgen__chunks", "--full-refresh").ok
