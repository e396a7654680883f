"""The InferenceX staging models after one real `dbt build` (conftest.built): the shared fixtures, an odd
copy of them (unknown hardware/model, a non-numeric and a numeric-string metric) and the synthetic dump."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(built):
    warehouse, dbt, _ = built
    assert dbt.ok, "\n".join(dbt.output_tail)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield con


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_the_build_passes_and_warns_about_quarantine_and_unknown_values(built):
    _, dbt, _ = built
    assert not dbt.with_status("error", "fail")
    warned = {n.unique_id.split(".")[2] for n in dbt.with_status("warn")}
    assert {"inferencex_quarantine_is_empty", "inferencex_no_unknown_values"} <= warned


def test_unknown_values_are_listed_not_dropped_or_guessed(con):
    unknown = {(k, v): n for k, v, n in rows(con, "select kind, value, record_count from staging.stg_inferencex__unknown_values")}
    assert unknown[("hardware", "tpu-v9x-nv")] == 1          # odd capture's benchmarks
    assert unknown[("model", "mystery-model")] == 3          # odd capture's benchmarks + the dump's config and result
    assert unknown[("hardware", "tpu-v9x")] == 2             # dump: the config and its result
    assert ("framework", "vllm-disagg") in unknown          # real: in the fixtures' availability/evaluations
    # their records are in the quarantine, verbatim, with the reason
    q = rows(con, "select reasons, record_json from staging.stg_inferencex__quarantine where reasons like '%tpu-v9x-nv%'")
    assert len(q) == 1 and "unknown hardware 'tpu-v9x-nv'" in q[0][0] and '"tpu-v9x-nv"' in q[0][1]


def test_quarantine_has_the_shared_columns_and_every_reason(con):
    cols = [c[0] for c in rows(con, "describe staging.stg_inferencex__quarantine")]
    assert cols[:7] == ["family", "batch_id", "source_file", "record_locator", "reasons", "record_json", "landed_at"]
    bad_metric = rows(con, "select family, source_file, record_locator, reasons from staging.stg_inferencex__quarantine "
                           "where reasons like '%fast%'")
    assert bad_metric == [("inferencex", "benchmarks.json", "record [2]",
                           "metrics.tput_per_gpu is 'fast', not a number; metrics.tput_per_gpu missing")]
    # a numeric string is accepted (with its note), typed as a number
    assert rows(con, "select tput_per_gpu, notes from staging.stg_inferencex__benchmark_results "
                     "where notes like '%tput_per_gpu%'") == [(123.5, "metrics.tput_per_gpu is a numeric string")]


def test_configs_have_the_17_field_key_normalised(con):
    assert rows(con, "select count(*) = count(distinct config_key) from staging.stg_inferencex__configs") == [(True,)]
    # the dump's dynamo-trtllm is the canonical dynamo-trt
    gb = rows(con, "select framework, disagg, num_prefill_gpu, num_decode_gpu, num_gpus from staging.stg_inferencex__configs "
                   "where hardware = 'gb200' and precision = 'fp4' and spec_method = 'mtp' and prefill_tp = 4 "
                   "and prefill_ep = 4 and prefill_num_workers = 2 and decode_tp = 8 and decode_num_workers = 1 "
                   "and num_prefill_gpu = 8 and num_decode_gpu = 8")
    assert gb == [("dynamo-trt", True, 8, 8, 16)]
    assert rows(con, "select count(*) from staging.stg_inferencex__configs where framework in ('trtllm', 'dynamo-trtllm')") == [(0,)]


def test_dump_results_keep_every_attempt_and_failed_rows(con):
    dump = rows(con, "select conc, run_attempt, is_success, tput_per_gpu, run_url from staging.stg_inferencex__benchmark_results "
                     "where source_route = 'dump' and hardware = 'b200' order by conc, run_attempt")
    assert dump == [
        (4, 1, True, 100.0, "https://github.com/SemiAnalysisAI/InferenceX/actions/runs/9000000001/attempts/1"),
        (4, 2, True, 110.0, "https://github.com/SemiAnalysisAI/InferenceX/actions/runs/9000000001/attempts/2"),
        (8, 2, False, None, "https://github.com/SemiAnalysisAI/InferenceX/actions/runs/9000000001/attempts/2"),
    ]
    assert rows(con, "select github_run_id, run_attempt, is_latest_attempt from staging.stg_inferencex__workflow_runs "
                     "where github_run_id = '9000000001' order by run_attempt") == [("9000000001", 1, False), ("9000000001", 2, True)]


def test_api_results_are_typed_with_their_run(con):
    r = rows(con, "select count(*), count(github_run_id), count(run_attempt), bool_and(is_official), "
                  "count(*) filter (where mean_ttft is not null) from staging.stg_inferencex__benchmark_results "
                  "where source_route = 'history'")
    assert r == [(1462, 1462, 1462, True, 0)]  # history drops the mean_* metrics
    one = rows(con, "select github_run_id, run_attempt, median_ttft from staging.stg_inferencex__benchmark_results "
                    "where run_url = 'https://github.com/SemiAnalysisAI/InferenceX/actions/runs/20200037154/attempts/2' "
                    "and hardware = 'mi355x' and conc = 4 and isl = 1024 and osl = 1024 and prefill_tp = 4 "
                    "and spec_method = 'none' and precision = 'fp4'")
    assert one == [("20200037154", 2, 0.20482347049983218)]


def test_benchmarks_and_history_agree_where_they_overlap(con):
    """The fixtures are trimmed captures whose benchmarks and history routes overlap on part of their keys;
    on the same config, sequence, concurrency and date they report the same throughput."""
    overlap = rows(con, """
        select count(*), count(*) filter (where abs(b.tput_per_gpu - h.tput_per_gpu) > 1e-9 * b.tput_per_gpu)
        from staging.stg_inferencex__benchmark_results b
        join staging.stg_inferencex__benchmark_results h
          on b.config_key = h.config_key and b.isl = h.isl and b.osl = h.osl and b.conc = h.conc
         and b.result_date = h.result_date and b.run_url = h.run_url
        where b.source_route = 'benchmarks' and h.source_route = 'history'""")
    assert overlap[0][0] > 0 and overlap[0][1] == 0


def test_evaluations_reliability_availability_changelog(con):
    assert rows(con, "select em_strict from staging.stg_inferencex__evaluations where source_route = 'dump'") == [(0.95,)]
    assert rows(con, "select count(*) from staging.stg_inferencex__evaluations where source_route = 'evaluations'")[0][0] > 500
    assert rows(con, "select n_success, total from staging.stg_inferencex__reliability where source_route = 'dump' "
                     "and hardware = 'gb200'") == [(1, 1)]
    assert rows(con, "select count(*) from staging.stg_inferencex__availability where hardware = 'gb300'")[0][0] > 0
    assert rows(con, "select github_run_id from staging.stg_inferencex__changelog where source_route = 'dump'") == [("9000000002",)]
