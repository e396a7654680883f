"""The real `dbt build` over ingested fixture results, checked against the figures in conftest.py's docstring."""

from __future__ import annotations

import copy
from datetime import datetime

import duckdb
import pytest

from ingest.vllm_results import ingest_vllm_results

from .conftest import VLLM_RESULT, build, write_fixture_results, write_json

# the shared run shape (the lead unions these models into fct_runs): names and DuckDB types, in order
RUN_SHAPE = [
    ("run_id", "VARCHAR"), ("source", "VARCHAR"), ("source_file", "VARCHAR"), ("model", "VARCHAR"),
    ("model_slug", "VARCHAR"), ("backend", "VARCHAR"), ("hw_key", "VARCHAR"), ("precision", "VARCHAR"),
    ("tp", "INTEGER"), ("num_gpus", "INTEGER"), ("isl", "INTEGER"), ("osl", "INTEGER"),
    ("request_rate", "DOUBLE"), ("burstiness", "DOUBLE"), ("max_concurrency", "INTEGER"),
    ("started_at", "TIMESTAMP"), ("duration_s", "DOUBLE"), ("num_requests", "BIGINT"), ("completed", "BIGINT"),
    ("failed", "BIGINT"), ("error_rate", "DOUBLE"), ("total_input_tokens", "BIGINT"), ("total_output_tokens", "BIGINT"),
    ("request_throughput", "DOUBLE"), ("request_goodput", "DOUBLE"), ("output_throughput", "DOUBLE"),
    ("total_token_throughput", "DOUBLE"), ("output_throughput_per_gpu", "DOUBLE"),
    ("total_token_throughput_per_gpu", "DOUBLE"),
    *[(f"{stat}_{m}_ms", "DOUBLE") for m in ("ttft", "tpot", "itl", "e2el") for stat in ("mean", "median", "p90", "p99")],
    ("median_interactivity", "DOUBLE"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("vllm_dbt")
    files = write_fixture_results(root / "results")
    warehouse = root / "wh.duckdb"
    ingest_vllm_results([root / "results"], warehouse)
    ingest_vllm_results([root / "results"], warehouse)  # again: a no-op that must not double anything
    result = build(root, warehouse)
    assert result.ok, "\n".join(result.output_tail)
    return files, warehouse, result


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_build_runs_every_model_unit_test_and_data_test(built):
    _, _, result = built
    counts = result.counts()
    assert set(counts) == {"success", "pass"}, counts  # no warn, error, fail or skip
    ids = {n.unique_id for n in result.nodes}
    for name in ("vllm_requests_unnest_parallel_arrays", "vllm_runs_type_the_saved_summary",
                 "agg_runs_convert_seconds_to_ms", "agg_run_shape_undoes_inferencemax_divisors",
                 "vllm_run_shape_fills_in_failed_and_per_gpu"):
        assert any(i.startswith("unit_test.") and i.endswith(name) for i in ids), name
    for name in ("vllm_bench_completed_matches_requests", "vllm_bench_mean_ttft_matches_requests"):
        assert f"test.semibench.{name}" in ids


def test_per_request_rows_unnested_and_converted_to_ms(built):
    files, warehouse, _ = built
    rows = query(warehouse, """
        select request_index, success, error, input_len, output_len, ttft_ms, e2el_ms, e2el_source, tpot_ms, itl_count
        from staging.stg_vllm__bench_requests r join staging.stg_vllm__bench_runs using (run_id)
        where source_locator = '$' order by request_index""")
    assert rows == [
        (0, True, None, 10, 3, 500.0, 875.0, "latencies", 187.5, 2),
        (1, True, None, 20, 2, 250.0, 750.0, "latencies", 500.0, 1),
        (2, False, "ClientError: 503 Service Unavailable", 40, 0, None, None, None, None, 0),
        (3, True, None, 30, 2, 750.0, 1000.0, "latencies", 250.0, 1),
    ]
    # summary-only runs (the appended file) have no per-request rows
    assert query(warehouse, "select count(*) from staging.stg_vllm__bench_requests") == [(4,)]


def test_vllm_run_in_the_run_shape(built):
    files, warehouse, _ = built
    row = query(warehouse, f"""
        select run_id, source, source_file, model, model_slug, backend, hw_key, precision, tp, num_gpus,
               request_rate, max_concurrency, started_at, duration_s, num_requests, completed, failed, error_rate,
               output_throughput_per_gpu, total_token_throughput_per_gpu, mean_ttft_ms, median_tpot_ms,
               p90_ttft_ms, p99_e2el_ms, median_interactivity
        from intermediate.int_runs__vllm_bench where source_file = '{files["vllm"]}'""")
    (run_id, *rest), = row
    assert run_id.startswith("vllm:") and len(run_id) == 5 + 16
    assert rest == ["vllm_bench", str(files["vllm"]), "openai/gpt-oss-120b", "gpt-oss-120b", "vllm", "b200_trt",
                    "fp8", 2, 2, None, 4, datetime(2025, 1, 15, 9, 30), 2.0, 4, 3, 1, 0.25, 1.75, 16.75, 500.0,
                    250.0, None, 997.5, 4.0]


def test_appended_summary_runs_derive_failed_from_num_prompts(built):
    files, warehouse, _ = built
    rows = query(warehouse, f"""
        select completed, failed, num_requests, request_rate, request_goodput, median_interactivity, model_slug
        from intermediate.int_runs__vllm_bench where source_file = '{files["appended"]}' order by started_at""")
    # the catalog's Llama row has the same HF id, so the slug maps; goodput is read from "request_goodput:"
    assert rows == [(100, 0, 100, 8.0, 7.6, 100.0, "llama-3_3-70b-instruct-fp8"),
                    (98, 2, 100, 8.0, 7.6, 100.0, "llama-3_3-70b-instruct-fp8")]


def test_aggregates_in_the_run_shape_with_units_converted(built):
    files, warehouse, _ = built
    rows = query(warehouse, """
        select backend, hw_key, tp, num_gpus, max_concurrency, isl, osl, request_rate, started_at, completed,
               total_token_throughput, output_throughput, output_throughput_per_gpu, total_token_throughput_per_gpu,
               mean_ttft_ms, median_ttft_ms, p99_ttft_ms, median_tpot_ms, mean_e2el_ms, median_interactivity
        from intermediate.int_runs__inferencemax_agg order by num_gpus""")
    assert rows == [
        ("vllm", "h100", 4, 4, 64, 1024, 1024, None, None, None, 4000.0, 400.0, 100.0, 1000.0,
         250.0, 200.0, 500.0, 25.0, 20000.0, 40.0),
        ("dynamo-trt", "gb200", None, 12, 256, 1024, 1024, None, None, None, 600.0, 240.0, 20.0, 50.0,
         250.0, 200.0, 500.0, 25.0, 20000.0, 40.0),
    ]


def test_both_run_models_have_exactly_the_run_shape(built):
    _, warehouse, _ = built
    for model in ("int_runs__vllm_bench", "int_runs__inferencemax_agg"):
        described = [(name, type_) for name, type_, *_ in query(warehouse, f"describe intermediate.{model}")]
        assert described == RUN_SHAPE, model
    # so they union without a column list, and run ids never collide across sources
    assert query(warehouse, """
        select count(*), count(distinct run_id) from (
            select * from intermediate.int_runs__vllm_bench union all select * from intermediate.int_runs__inferencemax_agg)""") == [(5, 5)]


def test_consistency_data_test_fails_on_a_run_whose_completed_disagrees(tmp_path):
    # vLLM's completed says 3, but only 2 requests have an empty error: the data test must catch it
    result = copy.deepcopy(VLLM_RESULT)
    result["errors"][1] = "timeout"
    warehouse = tmp_path / "wh.duckdb"
    ingest_vllm_results([write_json(tmp_path / "results" / "inconsistent.json", result)], warehouse)
    outcome = build(tmp_path, warehouse)
    failed = {n.unique_id.split(".")[-1] for n in outcome.with_status("fail")}
    # mean TTFT over the remaining successes (500 + 750) / 2 = 625 ms != saved 500 ms: caught as well
    assert failed == {"vllm_bench_completed_matches_requests", "vllm_bench_mean_ttft_matches_requests"}
    assert not outcome.ok
