"""Shape checks for the two benchmark-result record kinds `ingest vllm-results` lands.

  * `vllm_bench`: one saved `vllm bench serve` / `benchmark_serving.py --save-result` JSON object (a run);
  * `inferencemax_agg`: one InferenceMAX run aggregate (an element of `agg_bmk.json`, or a single
    `agg_<result>.json` object), written by InferenceMAX's `utils/process_result.py`.

Each check returns None for a usable record, or a Problem: the JSON path inside the record (`""` for the
record itself, `.ttfts`, `.ttfts[3]`) and a one-line reason naming the field. Only what dbt could not
interpret is rejected; unknown fields are always allowed (the record is landed verbatim).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.record_batch import is_json_number, json_type_name

# a stat of one latency metric, as vLLM saves it: mean_ttft_ms, p99_itl_ms, p99.9_e2el_ms (percentiles
# come from --metric-percentiles)
VLLM_STAT_KEY = re.compile(r"^(mean|median|std|p\d+(?:\.\d+)?)_(ttft|tpot|itl|e2el)_ms$")
# the same stats after InferenceMAX's aggregation: `_ms` dropped (seconds), plus interactivity (tok/s/user)
AGG_STAT_KEY = re.compile(r"^(mean|median|std|p\d+(?:\.\d+)?)_(ttft|tpot|itl|e2el|intvty)$")

# vLLM's `date` field: datetime.now().strftime("%Y%m%d-%H%M%S") on the benchmark client
VLLM_DATE_FORMAT = "%Y%m%d-%H%M%S"

# per-request arrays of a detailed result (--save-detailed), with the check each element must pass
_PER_REQUEST_ARRAYS = {
    "input_lens": "count",
    "output_lens": "count",
    "ttfts": "duration",
    "itls": "durations",
    "latencies": "duration",
    "start_times": "number",
    "queue_times": "number",
    "generated_texts": "text",
    "errors": "text",
}
_VLLM_COUNTS = ("num_prompts", "failed", "total_input_tokens", "total_output_tokens", "max_concurrent_requests")
_VLLM_NUMBERS = ("duration", "request_throughput", "request_goodput", "request_goodput:", "output_throughput",
                 "total_token_throughput", "max_output_tokens_per_s")
_AGG_TEXTS = ("hw", "framework", "precision", "model")
_AGG_POSITIVE_INTS = ("conc", "isl", "osl")
_AGG_OPTIONAL_POSITIVE_INTS = ("tp", "ep", "prefill_tp", "prefill_ep", "prefill_num_workers", "decode_tp",
                               "decode_ep", "decode_num_workers", "num_prefill_gpu", "num_decode_gpu")
_AGG_NUMBERS = ("tput_per_gpu", "output_tput_per_gpu", "input_tput_per_gpu")


@dataclass(frozen=True)
class Problem:
    path: str    # JSON path inside the record: "" (the record), ".ttfts", ".ttfts[3]"
    reason: str


def classify(record: Any) -> str | None:
    """`inferencemax_agg`, `vllm_bench`, or None when the object is neither. An aggregate is recognised
    first: process_result.py copies no vLLM run keys (model_id, completed) into it."""
    if not isinstance(record, dict):
        return None
    if "tput_per_gpu" in record or ("hw" in record and "conc" in record):
        return "inferencemax_agg"
    if "completed" in record or "model_id" in record or "ttfts" in record:
        return "vllm_bench"
    return None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _type_problem(field: str, value: Any, expected: str) -> Problem:
    return Problem("", f"field '{field}' is {json_type_name(value)}, expected {expected}")


def _required(record: dict, field: str) -> Problem | None:
    return None if field in record and record[field] is not None else Problem("", f"missing required field '{field}'")


def _check_text(record: dict, field: str) -> Problem | None:
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return _type_problem(field, value, "a non-empty string")
    return None


def _check_count(record: dict, field: str, *, positive: bool = False) -> Problem | None:
    value = record.get(field)
    if value is None:
        return None
    if not _is_count(value) or (positive and value == 0):
        return _type_problem(field, value, "a positive integer" if positive else "a non-negative integer")
    return None


def _check_number(record: dict, field: str) -> Problem | None:
    value = record.get(field)
    if value is None:
        return None
    if not is_json_number(value):
        return _type_problem(field, value, "a number")
    if value < 0:
        return Problem("", f"field '{field}' is {value!r}, expected a number >= 0")
    return None


def _is_vllm_date(value: Any) -> bool:
    try:
        datetime.strptime(value, VLLM_DATE_FORMAT)
    except (TypeError, ValueError):
        return False
    return True


def _first(*problems: Problem | None) -> Problem | None:
    return next((p for p in problems if p is not None), None)


def _check_element(kind: str, value: Any) -> str | None:
    """None when one element of a per-request array is valid, else what was expected."""
    if kind == "count":
        return None if _is_count(value) else "a non-negative integer"
    if kind == "number":
        return None if is_json_number(value) else "a number"
    if kind == "duration":
        return None if is_json_number(value) and value >= 0 else "a number >= 0 (seconds)"
    if kind == "durations":
        ok = isinstance(value, list) and all(is_json_number(v) and v >= 0 for v in value)
        return None if ok else "an array of numbers >= 0 (seconds)"
    return None if value is None or isinstance(value, str) else "a string or null"


def _check_per_request_arrays(record: dict) -> Problem | None:
    present = [name for name in _PER_REQUEST_ARRAYS if name in record and record[name] is not None]
    first_len: tuple[str, int] | None = None
    for name in present:
        values = record[name]
        if not isinstance(values, list):
            return Problem(f".{name}", f"is {json_type_name(values)}, expected an array (one element per request)")
        for index, value in enumerate(values):
            if expected := _check_element(_PER_REQUEST_ARRAYS[name], value):
                return Problem(f".{name}[{index}]", f"is {value!r}, expected {expected}")
        if first_len is None:
            first_len = (name, len(values))
        elif len(values) != first_len[1]:
            return Problem(f".{name}", f"length {len(values)} != length of {first_len[0]} {first_len[1]}")
    if first_len is None:
        return None  # a summary-only result (saved without --save-detailed)
    name, n = first_len
    completed = record["completed"]
    if record.get("failed") is not None:
        expected, what = completed + record["failed"], "completed+failed"
    elif record.get("num_prompts") is not None:
        expected, what = record["num_prompts"], "num_prompts"
    else:
        expected, what = None, ""
    if expected is not None and n != expected:
        return Problem(f".{name}", f"length {n} != {what} {expected}")
    if n < completed:
        return Problem(f".{name}", f"length {n} < completed {completed}")
    return None


def validate_vllm_result(record: dict) -> Problem | None:
    """One saved vLLM `bench serve` result (a JSON object)."""
    if problem := _first(_required(record, "model_id"), _check_text(record, "model_id"),
                         _required(record, "completed"), _check_count(record, "completed"),
                         _required(record, "duration")):
        return problem
    if record.get("backend") is None and record.get("endpoint_type") is None:
        return Problem("", "missing required field 'backend' (or 'endpoint_type')")
    for field in ("backend", "endpoint_type", "tokenizer_id", "label"):
        if problem := _check_text(record, field):
            return problem
    date = record.get("date")
    if date is not None and not _is_vllm_date(date):
        return Problem("", f"field 'date' is {date!r}, expected YYYYmmdd-HHMMSS")
    rate = record.get("request_rate")
    # vLLM writes the string "inf" for an unbounded rate (everything sent at once)
    if rate is not None and not (isinstance(rate, str) and rate.strip().lower() == "inf"
                                 or is_json_number(rate) and rate > 0):
        return Problem("", f"field 'request_rate' is {rate!r}, expected a number > 0 or \"inf\"")
    if problem := _check_count(record, "max_concurrency", positive=True):
        return problem
    burstiness = record.get("burstiness")
    if burstiness is not None and not (is_json_number(burstiness) and burstiness > 0):
        return Problem("", f"field 'burstiness' is {burstiness!r}, expected a number > 0")
    for field in _VLLM_COUNTS:
        if problem := _check_count(record, field):
            return problem
    for field in [*_VLLM_NUMBERS, *(k for k in record if VLLM_STAT_KEY.match(k))]:
        if problem := _check_number(record, field):
            return problem
    return _check_per_request_arrays(record)


def validate_inferencemax_agg(record: dict) -> Problem | None:
    """One InferenceMAX run aggregate (latencies in seconds, throughput per GPU)."""
    for field in _AGG_TEXTS:
        if problem := _first(_required(record, field), _check_text(record, field)):
            return problem
    for field in _AGG_POSITIVE_INTS:
        if problem := _first(_required(record, field), _check_count(record, field, positive=True)):
            return problem
    for field in _AGG_OPTIONAL_POSITIVE_INTS:
        if problem := _check_count(record, field, positive=True):
            return problem
    # a disaggregated (multi-node) run has no single tp: its GPUs are the prefill plus decode GPUs
    disagg_gpus = record.get("num_prefill_gpu") is not None and record.get("num_decode_gpu") is not None
    if record.get("tp") is None and not disagg_gpus:
        return Problem("", "missing required field 'tp' (or 'num_prefill_gpu' and 'num_decode_gpu' for a disaggregated run)")
    for field in ("disagg", "is_multinode"):
        if record.get(field) is not None and not isinstance(record[field], bool):
            return _type_problem(field, record[field], "true or false")
    if problem := _required(record, "tput_per_gpu"):
        return problem
    for field in [*_AGG_NUMBERS, *(k for k in record if AGG_STAT_KEY.match(k))]:
        if problem := _check_number(record, field):
            return problem
    return None


VALIDATORS = {"vllm_bench": validate_vllm_result, "inferencemax_agg": validate_inferencemax_agg}
