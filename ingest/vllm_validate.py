"""Checks for the two benchmark-result record kinds `ingest vllm-results` lands.

  * `vllm_bench`: one saved `vllm bench serve` / `benchmark_serving.py --save-result` JSON object (a run);
  * `inferencemax_agg`: one InferenceMAX run aggregate (an element of `agg_bmk.json`, or a single
    `agg_<result>.json` object), written by InferenceMAX's `utils/process_result.py`.

Each check returns the record's Findings: EVERY reason it cannot be used (it is then landed quarantined,
out of the marts) and notes on what was accepted as is. The reasons cover everything a dbt test on the
run models would otherwise fail on (docs/vllm_results.md, "What is quarantined"), so no record can stop
a build. Unknown fields are always allowed (the record is landed verbatim).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ingest.record_checks import Findings, RecordChecker
from ingest.vllm_consistency import check_per_request_arrays

# a stat of one latency metric, as vLLM saves it: mean_ttft_ms, p99_itl_ms, p99.9_e2el_ms (percentiles
# come from --metric-percentiles)
VLLM_STAT_KEY = re.compile(r"^(mean|median|std|p\d+(?:\.\d+)?)_(ttft|tpot|itl|e2el)_ms$")
# the same stats after InferenceMAX's aggregation: `_ms` dropped (seconds), plus interactivity (tok/s/user)
AGG_STAT_KEY = re.compile(r"^(mean|median|std|p\d+(?:\.\d+)?)_(ttft|tpot|itl|e2el|intvty)$")
LATENCY_METRICS = ("ttft", "tpot", "itl", "e2el")

# vLLM's `date` field: datetime.now().strftime("%Y%m%d-%H%M%S") on the benchmark client
VLLM_DATE_FORMAT = "%Y%m%d-%H%M%S"

_VLLM_COUNTS = ("num_prompts", "failed", "total_input_tokens", "total_output_tokens", "max_concurrent_requests")
_VLLM_NUMBERS = ("request_throughput", "request_goodput", "request_goodput:", "output_throughput",
                 "total_token_throughput", "max_output_tokens_per_s")
# run facts users attach with --metadata KEY=VALUE: always strings there, so no note for a numeric string
_VLLM_METADATA_COUNTS = ("tp", "tensor_parallel_size", "num_gpus", "isl", "osl")
_AGG_TEXTS = ("hw", "framework", "precision", "model")
_AGG_POSITIVE_INTS = ("conc", "isl", "osl")
_AGG_OPTIONAL_POSITIVE_INTS = ("tp", "ep", "prefill_tp", "prefill_ep", "prefill_num_workers", "decode_tp",
                               "decode_ep", "decode_num_workers", "num_prefill_gpu", "num_decode_gpu")
_AGG_NUMBERS = ("tput_per_gpu", "output_tput_per_gpu", "input_tput_per_gpu")
# InferenceMAX's interactivity is 1000 / tpot_ms; dbt checks it within 0.1 %, this a little tighter so
# whatever passes here passes there
INTERACTIVITY_TOLERANCE = 0.0009


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


def _is_vllm_date(value: Any) -> bool:
    try:
        datetime.strptime(value, VLLM_DATE_FORMAT)
    except (TypeError, ValueError):
        return False
    return True


def _check_p99_not_below_median(check: RecordChecker, stats: dict[str, float | None], suffix: str) -> None:
    for metric in LATENCY_METRICS:
        median, p99 = stats.get(f"median_{metric}{suffix}"), stats.get(f"p99_{metric}{suffix}")
        if median is not None and p99 is not None and p99 < median:
            check.problem(f"field 'p99_{metric}{suffix}' ({p99!r}) is below 'median_{metric}{suffix}' ({median!r})")


def validate_vllm_result(record: dict) -> Findings:
    """One saved vLLM `bench serve` result (a JSON object)."""
    check = RecordChecker(record)
    check.text("model_id", required=True)
    completed = check.number("completed", required=True, integer=True, minimum=0)
    check.number("duration", required=True, minimum=0, unit="seconds")
    if not check.present("backend") and not check.present("endpoint_type"):
        check.problem("missing required field 'backend' (or 'endpoint_type')")
    for name in ("backend", "endpoint_type", "tokenizer_id", "label"):
        check.text(name)
    date = record.get("date")
    if date is None:
        check.problem("missing required field 'date' (the run's time, YYYYmmdd-HHMMSS)")
    elif not _is_vllm_date(date):
        check.problem(f"field 'date' is {date!r}, expected YYYYmmdd-HHMMSS")
    rate = record.get("request_rate")
    # vLLM writes the string "inf" for an unbounded rate (everything sent at once)
    if not (isinstance(rate, str) and rate.strip().lower() in ("inf", "infinity")):
        check.number("request_rate", minimum=0, exclusive_minimum=True)
    check.number("max_concurrency", integer=True, minimum=0, exclusive_minimum=True)
    check.number("burstiness", minimum=0, exclusive_minimum=True)
    counts = {name: check.number(name, integer=True, minimum=0) for name in _VLLM_COUNTS}
    for name in _VLLM_NUMBERS:
        check.number(name, minimum=0)
    stats = {k: check.number(k, minimum=0, unit="ms") for k in record if VLLM_STAT_KEY.match(k)}
    _check_p99_not_below_median(check, stats, "_ms")
    for name in _VLLM_METADATA_COUNTS:
        check.number(name, integer=True, minimum=0, exclusive_minimum=True, note_strings=False)

    num_prompts, failed = counts["num_prompts"], counts["failed"]
    if completed is not None and num_prompts is not None:
        if completed > num_prompts:
            check.problem(f"field 'completed' ({completed}) exceeds 'num_prompts' ({num_prompts})")
        elif failed is not None and completed + failed != num_prompts:
            check.problem(f"'completed' + 'failed' ({completed} + {failed}) != 'num_prompts' ({num_prompts})")
    has_arrays = check_per_request_arrays(check, completed, failed, num_prompts, stats)
    if failed is None and num_prompts is None and not has_arrays:
        check.problem("cannot count failed requests: none of 'failed', 'num_prompts' or per-request arrays")
    return check


def validate_inferencemax_agg(record: dict) -> Findings:
    """One InferenceMAX run aggregate (latencies in seconds, throughput per GPU)."""
    check = RecordChecker(record)
    for name in _AGG_TEXTS:
        check.text(name, required=True)
    for name in _AGG_POSITIVE_INTS:
        check.number(name, required=True, integer=True, minimum=0, exclusive_minimum=True)
    ints = {name: check.number(name, integer=True, minimum=0, exclusive_minimum=True)
            for name in _AGG_OPTIONAL_POSITIVE_INTS}
    # a disaggregated (multi-node) run has no single tp: its GPUs are the prefill plus decode GPUs
    disagg_gpus = ints["num_prefill_gpu"] is not None and ints["num_decode_gpu"] is not None
    if ints["tp"] is None and not disagg_gpus and not check.present("tp"):
        check.problem("missing required field 'tp' (or 'num_prefill_gpu' and 'num_decode_gpu' for a disaggregated run)")
    # dp_attention is routinely the string "true"/"false" in real aggregates: read leniently in staging
    for name in ("disagg", "is_multinode"):
        check.boolean(name)
    check.number("tput_per_gpu", required=True, minimum=0)
    for name in _AGG_NUMBERS[1:]:
        check.number(name, minimum=0)
    stats = {k: check.number(k, minimum=0) for k in record if AGG_STAT_KEY.match(k)}
    _check_p99_not_below_median(check, stats, "")
    intvty, tpot = stats.get("median_intvty"), stats.get("median_tpot")
    if intvty is not None and tpot:
        expected = 1 / tpot  # tok/s/user from seconds per token
        if abs(intvty - expected) > INTERACTIVITY_TOLERANCE * intvty:
            check.problem(f"field 'median_intvty' ({intvty!r}) disagrees with 1 / 'median_tpot' ({expected:.6g})")
    return check


VALIDATORS = {"vllm_bench": validate_vllm_result, "inferencemax_agg": validate_inferencemax_agg}
