"""The real `dbt build` over ingested fixture results, checked against the figures in conftest.py's docstring."""

from __future__ import annotations

import copy
import json
from datetime import datetime

import duckdb
import pytest

from ingest.vllm_results import ingest_vllm_results

from .conftest import AGGS, VLLM_RESULT, build, summary_result, write_fixture_results, write_json

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
    ("status", "VARCHAR"), ("is_simulated", "BOOLEAN"),
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


def test_a_whole_build_runs_every_dbt_unit_test_of_the_project(built):
    """`semibench run` leaves dbt unit tests to `semibench build` and CI: this whole build is where CI runs
    every one of them (on DuckDB; the Spark ones are disabled there, as their models)."""
    _, warehouse, result = built
    manifest = json.loads((warehouse.parent / "dbt-target" / "manifest.json").read_text())
    declared = {u for u, node in manifest["unit_tests"].items() if node["config"].get("enabled", True)}
    passed = {n.unique_id for n in result.nodes if n.unique_id.startswith("unit_test.") and n.status == "pass"}
    assert len(declared) >= 20 and declared == passed, declared ^ passed


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


# model names of any shape: checkpoint paths (a leading `/` was once read as a JSON pointer), quotes,
# backslashes, spaces, unicode
ODD_MODELS = ["/mnt/ckpt/gpt-oss-120b", "o'brien-7b", "C:\\models\\my model", "模型/ü-1.5b", 'say "hi"-3b']


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    """One warehouse holding issue 10's three poison inputs and odd model names in every family, built once."""
    from ingest.eval_events import ingest_eval_events

    root = tmp_path_factory.mktemp("vllm_poison")
    warehouse = root / "wh.duckdb"
    # (a) the saved mean TTFT disagrees with the per-request arrays
    bad_mean = copy.deepcopy(VLLM_RESULT)
    bad_mean["mean_ttft_ms"] = 450.0
    # (b) more completed than prompts and no `failed`: derived failed would be -36
    too_many = summary_result("20250116-120000", 136)
    odd_runs = [dict(copy.deepcopy(VLLM_RESULT), model_id=m) for m in ODD_MODELS]
    odd_aggs = [dict(copy.deepcopy(AGGS[0]), model=m) for m in ODD_MODELS]
    results = root / "results"
    write_json(results / "a_bad_mean.json", bad_mean)
    write_json(results / "b_too_many.json", too_many)
    write_json(results / "odd" / "agg_bmk.json", odd_aggs)
    for i, run in enumerate(odd_runs):
        write_json(results / "odd" / f"run_{i}.json", run)
    vllm = ingest_vllm_results([results], warehouse)
    # (c) and the other odd names as tool-use evaluation models, in events and in a legacy master database
    logs = root / "logs"
    events = [{"model": m, "prompt_type": "cot", "task_type": "t", "success": i % 2 == 0, "test_id": f"t{i}",
               "tool_success_rate": 0.8, "difficulty": "easy"} for i, m in enumerate(ODD_MODELS)]
    logs.mkdir()
    (logs / "shard.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    cell = {"total": 2, "success": 1, "partial": 0}
    master = {"version": "3.0", "last_updated": "2025-08-30T00:00:00", "models": {
        m: {"by_prompt_type": {"baseline": {"by_tool_success_rate": {"0.9": {"by_difficulty": {"hard": {
            "by_task_type": {"t": cell}}}}}}}} for m in ODD_MODELS}}
    write_json(logs / "legacy" / "master_database.json", master)
    evals = ingest_eval_events([logs], warehouse)
    result = build(root, warehouse)
    return vllm, evals, warehouse, result


def test_poison_inputs_are_quarantined_at_ingest(poisoned):
    vllm, evals, _, _ = poisoned
    assert vllm.records_quarantined == 2 and evals.records_quarantined == 0
    reasons = {q.source_file.name: q.reason for q in vllm.quarantined}
    assert reasons["a_bad_mean.json"] == ("field 'mean_ttft_ms' (450.0) disagrees with the per-request arrays "
                                          "(500 ms over the successful requests)")
    assert reasons["b_too_many.json"] == "field 'completed' (136) exceeds 'num_prompts' (100)"


def test_poison_inputs_build_green_with_warnings(poisoned):
    _, _, _, result = poisoned
    assert result.ok, "\n".join(result.output_tail)
    assert not result.with_status("error") and not result.with_status("fail")
    warned = {n.unique_id.split(".")[2] for n in result.with_status("warn")}
    assert any(w.startswith("quarantine_is_empty_stg_vllm__quarantine") for w in warned), warned
    assert not any("stg_tool_eval__quarantine" in w for w in warned), warned


def test_quarantine_model_exposes_the_shared_columns(poisoned):
    _, _, warehouse, _ = poisoned
    rows = query(warehouse, """
        select family, batch_id like 'vrb-%', regexp_extract(source_file, '[^/]+$'), record_locator, reasons,
               json_extract_string(record_json, '$.mean_ttft_ms'), landed_at is not null
        from staging.stg_vllm__quarantine order by source_file""")
    assert [r[:4] + r[5:] for r in rows] == [
        ("vllm_bench", True, "a_bad_mean.json", "$", "450.0", True),
        ("vllm_bench", True, "b_too_many.json", "$", "40.0", True)]
    # quarantined runs are in no other model
    assert query(warehouse, "select count(*) from fct_runs where source_file like '%a_bad_mean%' or source_file like '%b_too_many%'") == [(0,)]


def test_model_names_of_any_shape_land_and_build_in_every_family(poisoned):
    _, _, warehouse, _ = poisoned
    for source in ("vllm_bench", "inferencemax_agg"):
        assert {r[0] for r in query(warehouse, f"select model from fct_runs where source = '{source}'")} == set(ODD_MODELS)
    assert sorted(r[0] for r in query(warehouse, "select model_name from agg_tool_eval_by_model")) == sorted(ODD_MODELS)
    names = dict(query(warehouse, "select model_raw, model_name from dim_model_names where family = 'runs'"))
    assert names["/mnt/ckpt/gpt-oss-120b"] == "gpt-oss-120b" and names["o'brien-7b"] == "o'brien-7b"
    tool_eval = {r[0] for r in query(warehouse, "select model_raw from dim_model_names where family = 'tool_eval'")}
    assert tool_eval == set(ODD_MODELS)
    # the rebuilt master_database.json is keyed by every odd name, the path included
    (doc,), = query(warehouse, "select master_database from tool_eval_master_database")
    assert sorted(json.loads(doc)["models"]) == sorted(ODD_MODELS)
