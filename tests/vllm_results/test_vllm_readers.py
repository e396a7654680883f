"""Reading and checking result files: layout detection by content; a record with problems is kept with
EVERY reason (it lands quarantined); only a file that cannot be read at all is rejected."""

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
    # the fixtures are clean: nothing to quarantine, nothing to note
    assert [(r.reasons, r.notes) for r in vllm + appended + aggs] == [((), ())] * 5


def test_a_single_aggregate_object_is_one_run(tmp_path):
    # process_result.py writes each run's aggregate as one object (agg_<result>.json) before collection
    records, rejections = read_file(write_json(tmp_path / "agg_result.json", AGGS[0]))
    assert rejections == []
    assert [(r.source_locator, r.record_kind, r.reasons) for r in records] == [("$", "inferencemax_agg", ())]


def _reasons(tmp_path, value, name="bad.json", raw: str | None = None) -> dict[str, tuple[str, ...]]:
    """locator -> reasons of every quarantined record; the file itself must be readable."""
    path = tmp_path / name
    path.write_text(raw if raw is not None else json.dumps(value), encoding="utf-8")
    records, rejections = read_file(path)
    assert rejections == []
    return {r.source_locator: r.reasons for r in records if r.reasons}


def test_agg_field_of_the_wrong_type_quarantines_that_element_only(tmp_path):
    bad = copy.deepcopy(AGGS)
    bad[1]["tput_per_gpu"] = "fast"
    assert _reasons(tmp_path, bad, "agg_bmk.json") == {
        "[1]": ("field 'tput_per_gpu' is the string 'fast', expected a number >= 0",)}


@pytest.mark.parametrize("change, reason", [
    (lambda r: r.pop("conc"), "missing required field 'conc'"),
    (lambda r: r.update(hw=""), "field 'hw' is a string '', expected a non-empty string"),
    (lambda r: r.update(isl=1024.5), "field 'isl' is a number 1024.5, expected a positive integer"),
    (lambda r: r.pop("tp"), "missing required field 'tp' (or 'num_prefill_gpu' and 'num_decode_gpu' for a disaggregated run)"),
    (lambda r: r.update(disagg="no"), "field 'disagg' is a string 'no', expected true or false"),
    (lambda r: r.update(p99_ttft=-1.0), "field 'p99_ttft' is -1.0, expected a number >= 0"),
    (lambda r: r.update(p99_ttft=0.1), "field 'p99_ttft' (0.1) is below 'median_ttft' (0.2)"),
    (lambda r: r.update(median_intvty=80.0), "field 'median_intvty' (80.0) disagrees with 1 / 'median_tpot' (40)"),
])
def test_agg_checks(tmp_path, change, reason):
    record = copy.deepcopy(AGGS[0])
    change(record)
    assert _reasons(tmp_path, [record], "agg_bmk.json") == {"[0]": (reason,)}


def test_every_reason_of_a_record_is_kept(tmp_path):
    record = copy.deepcopy(AGGS[0])
    record.update(hw=None, conc=0, tput_per_gpu=-5)
    assert _reasons(tmp_path, [record], "agg_bmk.json") == {"[0]": (
        "missing required field 'hw'", "field 'conc' is 0, expected a positive integer",
        "field 'tput_per_gpu' is -5, expected a number >= 0")}


def test_numeric_strings_are_accepted_with_a_note(tmp_path):
    record = copy.deepcopy(AGGS[0])
    record.update(tput_per_gpu="1000.0", conc="64", disagg="false")
    (rec,), _ = read_file(write_json(tmp_path / "agg_bmk.json", [record]))
    assert rec.reasons == ()
    assert rec.notes == ("field 'conc' is the numeric string '64', read as 64",
                         "field 'disagg' is the string 'false', read as false",
                         "field 'tput_per_gpu' is the numeric string '1000.0', read as 1000.0")


def test_vllm_array_length_must_match_completed_plus_failed(tmp_path):
    result = copy.deepcopy(VLLM_RESULT)
    for name in ("input_lens", "output_lens", "ttfts", "itls", "latencies", "start_times", "generated_texts", "errors"):
        result[name] = result[name][:3]
    assert _reasons(tmp_path, result, "result.json")["$"][0] == \
        "per-request arrays hold 3 requests, 'completed' + 'failed' is 4"


@pytest.mark.parametrize("change, reason", [
    (lambda r: r.update(ttfts=r["ttfts"][:3]), "per-request arrays differ in length (input_lens 4, output_lens 4, ttfts 3, itls 4, latencies 4, start_times 4, generated_texts 4, errors 4)"),
    (lambda r: r["itls"].__setitem__(1, [0.5, "x"]), "field 'itls' element [1] is an array, expected an array of numbers >= 0 (seconds)"),
    (lambda r: r["ttfts"].__setitem__(2, -0.1), "field 'ttfts' element [2] is -0.1, expected a number >= 0 (seconds)"),
    (lambda r: r.update(errors="none"), "field 'errors' is a string, expected an array (one element per request)"),
    (lambda r: r.update(request_rate="fast"), "field 'request_rate' is the string 'fast', expected a number > 0"),
    (lambda r: r.update(date="2025-01-15 09:30"), "field 'date' is '2025-01-15 09:30', expected YYYYmmdd-HHMMSS"),
    (lambda r: r.pop("date"), "missing required field 'date' (the run's time, YYYYmmdd-HHMMSS)"),
    (lambda r: r.pop("model_id"), "missing required field 'model_id'"),
    (lambda r: (r.pop("backend"), r.pop("endpoint_type")), "missing required field 'backend' (or 'endpoint_type')"),
    (lambda r: r.update(mean_ttft_ms="fast"), "field 'mean_ttft_ms' is the string 'fast', expected a number >= 0 (ms)"),
    (lambda r: r.update(tp="0"), "field 'tp' is 0, expected a positive integer"),
    # (a) the saved summary disagrees with the per-request arrays
    (lambda r: r.update(mean_ttft_ms=450.0), "field 'mean_ttft_ms' (450.0) disagrees with the per-request arrays (500 ms over the successful requests)"),
    (lambda r: r.update(median_e2el_ms=700.0), "field 'median_e2el_ms' (700.0) disagrees with the per-request arrays (875 ms over the successful requests)"),
    (lambda r: r["latencies"].__setitem__(0, 0.25), "request [0] ended before its first token (latency 0.25 s < ttft 0.5 s)"),
    # (b) more completed than prompts
    (lambda r: r.update(num_prompts=2, failed=None), "field 'completed' (3) exceeds 'num_prompts' (2)"),
])
def test_vllm_checks(tmp_path, change, reason):
    result = copy.deepcopy(VLLM_RESULT)
    change(result)
    reasons = _reasons(tmp_path, result, "result.json")["$"]
    assert reason in reasons, reasons


def test_completed_must_be_the_requests_without_error(tmp_path):
    result = copy.deepcopy(VLLM_RESULT)
    result["errors"][1] = "timeout"
    reasons = _reasons(tmp_path, result, "result.json")["$"]
    assert "field 'completed' (3) != requests with an empty error (2)" in reasons
    # mean TTFT over the remaining successes (500 + 750) / 2 = 625 ms != saved 500 ms
    assert "field 'mean_ttft_ms' (500.0) disagrees with the per-request arrays (625 ms over the successful requests)" in reasons


def test_summary_only_result_without_failed_is_checked_against_num_prompts(tmp_path):
    result = summary_result("20250116-100000", 3, input_lens=[1, 2], num_prompts=3, errors=["", ""])
    assert "per-request arrays hold 2 requests, 'num_prompts' is 3" in _reasons(tmp_path, result, "r.json")["$"]


def test_poison_b_completed_above_num_prompts_without_failed(tmp_path):
    # derived failed would be 100 - 136 = -36
    assert _reasons(tmp_path, summary_result("20250116-100000", 136), "r.json") == {
        "$": ("field 'completed' (136) exceeds 'num_prompts' (100)",)}


def test_bad_line_of_an_appended_file_is_named_by_line(tmp_path):
    good = json.dumps(summary_result("20250116-100000", 100))
    bad = json.dumps(summary_result("2025", 100))
    assert _reasons(tmp_path, None, "a.jsonl", raw=f"{good}\n{bad}\n{good[:40]}\n") == {
        "line 2": ("field 'date' is '2025', expected YYYYmmdd-HHMMSS",),
        "line 3": ("invalid JSON: Unterminated string starting at: line 1 column 40 (char 39)",)}


def test_an_object_of_neither_kind_is_quarantined_as_unknown(tmp_path):
    records, _ = read_file(write_json(tmp_path / "x.json", [AGGS[0], {"hello": 1}, 7]))
    assert [(r.record_kind, len(r.reasons)) for r in records] == [("inferencemax_agg", 0), ("unknown", 1), ("unknown", 1)]


@pytest.mark.parametrize("raw, reason", [
    ("", "empty file: expected a vLLM result object or an InferenceMAX aggregate array"),
    ('{"completed": 3, "model_id": ', "invalid JSON: Expecting value: line 1 column 30 (char 29)"),
    ('{"completed": NaN}', "invalid JSON: non-standard JSON constant NaN"),
    ('"just a string"', "expected a JSON object or array, got a string"),
    ("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "invalid JSON: Expecting value: line 1 column 1 (char 0)"),
])
def test_unusable_files_are_rejected_whole(tmp_path, raw, reason):
    path = tmp_path / "x.json"
    path.write_text(raw, encoding="utf-8")
    records, rejections = read_file(path)
    assert records == [] and len(rejections) == 1
    assert str(rejections[0]).endswith(f": {reason}"), rejections[0]
