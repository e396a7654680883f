"""The unified InferenceMAX/InferenceX model on the shared real data after one real `dbt build`
(conftest.marts): one row per result however many captures served it, "latest" as InferenceX defines it and
equal to `benchmarks`, revisions and disappearances kept, the API reconciled with agg_bmk.json, unknown
values reported, the dashboard mapped onto configs, energy from measured power and the site's constants,
and the same marts whatever order the captures landed in (conftest.reordered, the one extra build)."""

from __future__ import annotations

import duckdb
import pytest

from tests.inferencex_marts.conftest import FIRST_AT, LATER_AT

MARTS = ["fct_inferencemax_results", "dim_inferencemax_configs", "mart_inferencemax__latest_results",
         "mart_inferencex__config_frontier", "mart_inferencex__tput_at_interactivity",
         "mart_inferencex__hardware_ranking", "mart_inferencex__energy", "mart_inferencex__accuracy_vs_throughput",
         "mart_inferencex__reliability", "mart_inferencex__availability_matrix",
         "mart_inferencex__hardware_lifecycle", "mart_inferencex__unmapped_results"]


def query(ws, sql, params=None):
    with duckdb.connect(str(ws.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def node(dbt, name):
    # test.<project>.<name>[.<hash>]
    found = [n for n in dbt.nodes if n.unique_id.split(".")[2:3] == [name]]
    assert found, f"dbt node {name} did not run"
    return found[0]


@pytest.fixture(scope="module")
def ws(marts):
    ws, dbt = marts
    assert dbt.returncode == 0, "\n".join(f"{n.unique_id}: {n.status} {n.message}" for n in dbt.nodes
                                          if n.status in ("error", "fail"))
    return ws


def test_latest_mart_agrees_with_benchmarks_on_same_date_keys(ws, marts):
    rows = query(ws, """
        select b.tput_per_gpu, l.tput_per_gpu, b.github_run_id, l.github_run_id, b.run_attempt, l.run_attempt
        from staging.stg_inferencex__benchmark_results b
        join main.mart_inferencemax__latest_results l
          on b.config_key = l.config_key and b.isl = l.isl and b.osl = l.osl and b.conc = l.conc
         and b.result_date = l.result_date
        where b.source_route = 'benchmarks'""")
    assert len(rows) > 300, "benchmarks and the latest mart should share most keys"
    assert all(r[0] == r[1] and r[2] == r[3] and r[4] == r[5] for r in rows)
    check = node(marts[1], "inferencex_latest_agrees_with_benchmarks")
    assert check.status == "pass" and not check.failures


def test_latest_is_one_row_per_config_sequence_conc_and_newest(ws):
    assert query(ws, """select count(*) from (select config_key, isl, osl, conc from main.mart_inferencemax__latest_results
                        group by all having count(*) > 1)""") == [(0,)]
    # nothing successful and newer than the latest row exists for its key
    assert query(ws, """
        select count(*) from main.mart_inferencemax__latest_results l
        join main.fct_inferencemax_results f
          on f.config_key = l.config_key and f.isl = l.isl and f.osl = l.osl and f.conc = l.conc
        where f.is_success and not f.is_duplicate_of_api and f.result_date > l.result_date""") == [(0,)]


def test_overlapping_captures_count_each_result_once(ws):
    landed, results = query(ws, """
        select (select count(*) from staging.stg_inferencex__benchmark_results),
               (select count(*) from main.fct_inferencemax_results where source_family = 'api')""")[0]
    assert results < landed  # benchmarks and history overlap; the re-capture repeats everything
    assert query(ws, """select count(*) from (select config_key, isl, osl, conc, github_run_id, run_attempt, result_date
                        from main.fct_inferencemax_results where source_family = 'api' group by all
                        having count(*) > 1)""") == [(0,)]
    both = query(ws, """select count(*) from intermediate.int_inferencex__api_result_versions
                        where seen_in_benchmarks and seen_in_history and is_current""")[0][0]
    assert both > 100


def test_changed_value_is_a_revision_with_both_capture_times(ws, later):
    rows = query(ws, """select previous_tput_per_gpu, tput_per_gpu, previous_last_seen_at, revised_at, is_current
                        from intermediate.int_inferencex__result_revisions""")
    assert len(rows) == 1
    before, after, seen_before, revised_at, current = rows[0]
    assert before == pytest.approx(later.revised["metrics"]["tput_per_gpu"])
    assert after == pytest.approx(later.revised_tput)
    assert str(seen_before).startswith(FIRST_AT[:10]) and str(revised_at).startswith(LATER_AT[:10])
    assert current
    assert query(ws, "select count(*) from main.fct_inferencemax_results where is_revised and tput_per_gpu = ?",
                 [later.revised_tput]) == [(1,)]


def test_result_missing_from_the_later_capture_is_flagged_not_deleted(ws, later):
    gone = later.dropped
    rows = query(ws, """select f.tput_per_gpu from main.fct_inferencemax_results f
                        where f.is_missing_from_latest_capture""")
    assert [r[0] for r in rows] == [pytest.approx(gone["metrics"]["tput_per_gpu"])]


def test_api_and_agg_bmk_reconcile(ws, marts):
    check = node(marts[1], "inferencex_api_reconciles_with_agg_bmk")
    assert check.status == "pass"
    pairs = query(ws, """select count(*) from main.fct_inferencemax_results a join main.fct_inferencemax_results b
        on a.source_family = 'api' and b.source_family = 'agg_bmk' and a.config_key = b.config_key
        and a.github_run_id = b.github_run_id and a.isl = b.isl and a.osl = b.osl and a.conc = b.conc""")[0][0]
    assert pairs > 50  # the reconcile test has real pairs to compare, not an empty join
    assert query(ws, "select count(*) from main.fct_inferencemax_results where is_duplicate_of_api") == [(pairs,)]


def test_unknown_values_and_unmapped_keys_are_reported_not_dropped(ws, marts):
    unknown = {v for (v,) in query(ws, "select value from staging.stg_inferencex__unknown_values")}
    assert {"vllm-disagg", "atom-disagg"} <= unknown
    unmapped = query(ws, "select source_family, config_problems, result_count from main.mart_inferencex__unmapped_results")
    assert unmapped == [("dashboard",
                         "hwKey 'gb200' not mapped for model 'dsr1' on 2025-10-23 (seed inferencex_legacy_hw_keys)", 44)]
    assert node(marts[1], "inferencex_unmapped_results_is_empty").status == "warn"
    # every dashboard point landed in the fact, mapped or not
    assert query(ws, "select count(*), count(config_key) from main.fct_inferencemax_results where source = 'dashboard'") \
        == [(1339, 1295)]


def test_dashboard_keys_map_onto_configs(ws):
    rows = query(ws, """select distinct c.hardware, c.framework, c.spec_method, c.disagg
                        from intermediate.int_inferencex__dashboard_results d
                        join main.dim_inferencemax_configs c on d.config_key = c.config_key
                        where d.hw_key_raw = 'gb200_mtp'""")
    assert rows == [("gb200", "dynamo-trt", "mtp", True)]
    assert query(ws, """select count(*) from main.dim_inferencemax_configs
                        where seen_in_dashboard and (seen_in_api or seen_in_agg_bmk)""") == [(0,)]


def test_configs_are_shared_between_api_and_agg_bmk(ws):
    assert query(ws, "select count(*) from main.dim_inferencemax_configs where seen_in_api and seen_in_agg_bmk")[0][0] > 10


def test_energy_from_measured_power_and_site_constants(ws):
    measured = query(ws, """select count(*), count(joules_per_output_token), count(tput_per_mw_measured)
                            from main.mart_inferencex__energy where is_power_valid""")[0]
    assert measured[0] > 0 and measured[0] == measured[1] == measured[2]
    assert query(ws, """select count(*) from main.mart_inferencex__energy
                        where not is_power_valid and (joules_per_output_token is not null or avg_power_w is not null)""") \
        == [(0,)]
    # the constants seed reproduces the dashboard's own per-point tok/s per MW and rental cost
    rows = query(ws, """
        select e.site_tput_per_mw, d.site_tput_per_mw, e.site_usd_per_m_tokens_rental, d.site_cost_rental
        from main.mart_inferencex__energy e
        join main.fct_inferencemax_results f on e.result_key = f.result_key
        join intermediate.int_inferencex__dashboard_results d
          on f.source = 'dashboard' and f.snapshot_id = d.snapshot_id and f.config_key = d.config_key
         and f.conc = d.conc and f.isl = d.isl and f.osl = d.osl""")
    assert len(rows) > 500
    for ours, site, cost, site_cost in rows:
        assert ours == pytest.approx(site, rel=1e-3)
        assert cost == pytest.approx(site_cost, rel=0.02, abs=0.002)
    # no price without a source: GPUs no source prices have no site figures
    assert query(ws, """select count(*) from main.mart_inferencex__energy
                        where hardware in ('b300', 'gb300') and site_tput_per_mw is not null""") == [(0,)]


def test_fastest_config_above_an_accuracy_bar_is_one_query(ws):
    rows = query(ws, """select config_key, em_strict, best_tput_per_gpu from main.mart_inferencex__accuracy_vs_throughput
                        where em_strict >= 0.9 and best_tput_per_gpu is not null
                        order by best_tput_per_gpu desc limit 1""")
    assert len(rows) == 1 and rows[0][1] >= 0.9


def test_interpolated_figures_say_linear(ws):
    methods = query(ws, "select distinct interpolation_method from main.mart_inferencex__tput_at_interactivity")
    assert methods == [("linear",)]
    targets = {t for (t,) in query(ws, "select distinct interactivity_target from main.mart_inferencex__tput_at_interactivity")}
    assert targets == {30.0, 50.0, 75.0, 100.0}


def test_reliability_and_availability_cover_the_fixture_dates(ws):
    assert query(ws, "select count(*) > 0, min(success_rate) >= 0, max(success_rate) <= 1 from main.mart_inferencex__reliability") \
        == [(True, True, True)]
    assert query(ws, "select count(distinct available_date) > 10 from main.mart_inferencex__availability_matrix") == [(True,)]


def test_both_landing_orders_give_the_same_marts(ws, reordered):
    other, dbt = reordered
    assert dbt.returncode == 0
    for table in MARTS:
        sql = f"select * from main.{table} order by all"
        assert query(ws, sql) == query(other, sql), f"{table} differs between landing orders"


def _compiled_check(ws, name):
    return (ws.root / "dbt-target" / "compiled" / "semibench" / "data-tests" / f"{name}.sql").read_text()


def test_the_two_warn_checks_list_disagreements(ws, tmp_path):
    """The reconcile and latest-vs-benchmarks checks are green on the real data; on a copy of the warehouse
    where one artifact and one latest row were changed, each lists exactly the changed key."""
    import shutil

    copy = tmp_path / ws.warehouse.name  # same file name: the compiled SQL names the catalog after it
    shutil.copy(ws.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("""update main.fct_inferencemax_results set tput_per_gpu = tput_per_gpu * 1.01
                       where result_key = (select min(result_key) from main.fct_inferencemax_results
                                           where is_duplicate_of_api)""")
        con.execute("""update main.mart_inferencemax__latest_results set tput_per_gpu = tput_per_gpu * 2
                       where result_key = (select min(l.result_key) from main.mart_inferencemax__latest_results l
                                           join staging.stg_inferencex__benchmark_results b
                                             on b.config_key = l.config_key and b.isl = l.isl and b.osl = l.osl
                                            and b.conc = l.conc and b.result_date = l.result_date
                                           where b.source_route = 'benchmarks')""")
        reconcile = con.execute(_compiled_check(ws, "inferencex_api_reconciles_with_agg_bmk")).fetchall()
        latest = con.execute(_compiled_check(ws, "inferencex_latest_agrees_with_benchmarks")).fetchall()
    assert len(reconcile) == 1 and reconcile[0][5] == "tput_per_gpu"
    assert len(latest) == 1
