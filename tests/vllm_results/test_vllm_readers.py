"""Reading and validating result files: layout detection by content, and one clear reason per bad record."""

from __future__ import annotations

import copy
import json

import pytest

from ingest.vllm_readers import read_file

from .conftest import AGGS, VLLM_RESULT, summary_result, write_json


def test_detects_each_layout_by_content(results):
    vllm, _ = read_file(results["vllm"])
    assert [(r.source_format, r.source_locator, r.record_kind) for r in vllm] == [("json_object", "$", "vllm_bench")]
    assert vllm[0].record_text == results["vllm"].read_text()  # a whole-file record is kept verbatim
    appended, _ = read_file(results["appended"])
    assert [(r.source_format, r.source_locator, r.record_kind) for r in appended] == [
        ("jsonl", "line 1", "vllm_bench"), ("jsonl", "line 2", "vllm_bench")]
    aggs, _ = read_file(results["agg"])
    assert [(r.source_format, r.source_locator, r.record_kind) for r in aggs] == [
        ("json_array", "[0]", "inferencemax_agg"), ("json_array", "[1]", "inferencemax_agg")]
    assert read_file(results["empty_agg"]) == ([], [])  # an empty array: a valid file with no runs


def test_a_single_aggregate_object_is_one_run(tmp_path):
    # process_result.py writes each run's aggregate as one object (agg_<result>.json) before collection
    records, rejections = read_file(write_json(tmp_path / "agg_result.json", AGGS[0]))
    assert rejections == []
    assert [(r.source_locator, r.record_kind) for r in records] == [("$", "inferencemax_agg")]


def _reject(tmp_path, value, name="bad.json", raw: str | None = None) -> str:
    path = tmp_path / name
    path.write_text(raw if raw is not None else json.dumps(value), encoding="utf-8")
    records, rejections = read_file(path)
    assert len(rejections) == 1, rejections
    return str(rejections[0]).replace(str(path), name)


def test_agg_field_of_the_wrong_type_names_element_and_field(tmp_path):
    bad = copy.deepcopy(AGGS)
    bad[1]["tput_per_gpu"] = "fast"
    assert _reject(tmp_path, bad, "agg_bmk.json") == "agg_bmk.json [1]: field 'tput_per_gpu' is a string, expected a number"


@pytest.mark.parametrize("change, reason", [
    (lambda r: r.pop("conc"), "missing required field 'conc'"),
    (lambda r: r.update(hw=""), "field 'hw' is a string, expected a non-empty string"),
    (lambda r: r.update(isl=1024.5), "field 'isl' is a number, expected a positive integer"),
    (lambda r: r.pop("tp"), "missing required field 'tp' (or 'num_prefill_gpu' and 'num_decode_gpu' for a disaggregated run)"),
    (lambda r: r.update(disagg="no"), "field 'disagg' is a string, expected true or false"),
    (lambda r: r.update(p99_ttft=-1.0), "field 'p99_ttft' is -1.0, expected a number >= 0"),
])
def test_agg_checks(tmp_path, change, reason):
    record = copy.deepcopy(AGGS[0])
    change(record)
    assert _reject(tmp_path, [record], "agg_bmk.json") == f"agg_bmk.json [0]: {reason}"


def test_vllm_array_length_must_match_completed_plus_failed(tmp_path):
    result = copy.deepcopy(VLLM_RESULT)
    for name in ("input_lens", "output_lens", "ttfts", "itls", "latencies", "start_times", "generated_texts", "errors"):
        result[name] = result[name][:3]
    assert _reject(tmp_path, result, "result.json") == "result.json $.input_lens: length 3 != completed+failed 4"


@pytest.mark.parametrize("change, where, reason", [
    (lambda r: r.update(ttfts=r["ttfts"][:3]), "$.ttfts", "length 3 != length of input_lens 4"),
    (lambda r: r["itls"].__setitem__(1, [0.5, "x"]), "$.itls[1]", "is [0.5, 'x'], expected an array of numbers >= 0 (seconds)"),
    (lambda r: r["ttfts"].__setitem__(3, -0.1), "$.ttfts[3]", "is -0.1, expected a number >= 0 (seconds)"),
    (lambda r: r.update(errors="none"), "$.errors", "is a string, expected an array (one element per request)"),
    (lambda r: r.update(request_rate="fast"), "$", "field 'request_rate' is 'fast', expected a number > 0 or \"inf\""),
    (lambda r: r.update(date="2025-01-15 09:30"), "$", "field 'date' is '2025-01-15 09:30', expected YYYYmmdd-HHMMSS"),
    (lambda r: r.update(completed=2.5), "$", "field 'completed' is a number, expected a non-negative integer"),
    (lambda r: r.pop("model_id"), "$", "missing required field 'model_id'"),
    (lambda r: (r.pop("backend"), r.pop("endpoint_type")), "$", "missing required field 'backend' (or 'endpoint_type')"),
    (lambda r: r.update(mean_ttft_ms="500"), "$", "field 'mean_ttft_ms' is a string, expected a number"),
])
def test_vllm_checks(tmp_path, change, where, reason):
    result = copy.deepcopy(VLLM_RESULT)
    change(result)
    assert _reject(tmp_path, result, "result.json") == f"result.json {where}: {reason}"


def test_summary_only_result_without_failed_is_checked_against_num_prompts(tmp_path):
    result = summary_result("20250116-100000", 3, input_lens=[1, 2], num_prompts=3)
    assert _reject(tmp_path, result, "r.json") == "r.json $.input_lens: length 2 != num_prompts 3"


def test_bad_line_of_an_appended_file_is_named_by_line(tmp_path):
    good = json.dumps(summary_result("20250116-100000", 100))
    bad = json.dumps(summary_result("2025", 100))
    assert _reject(tmp_path, None, "a.jsonl", raw=f"{good}\n{bad}\n") == \
        "a.jsonl line 2: field 'date' is '2025', expected YYYYmmdd-HHMMSS"


@pytest.mark.parametrize("raw, reason", [
    ("", "empty file: expected a vLLM result object or an InferenceMAX aggregate array"),
    ('{"completed": 3, "model_id": ', "invalid JSON: Expecting value: line 1 column 30 (char 29)"),
    ('{"completed": NaN}', "invalid JSON: non-standard JSON constant NaN"),
    ('"just a string"', "expected a JSON object or array, got a string"),
    ('{"hello": 1}', "an object that is neither a vLLM bench result (no 'completed' / 'model_id') nor an InferenceMAX aggregate (no 'hw' / 'tput_per_gpu')"),
])
def test_unusable_files(tmp_path, raw, reason):
    message = _reject(tmp_path, None, "x.json", raw=raw)
    assert message.endswith(f": {reason}"), message
