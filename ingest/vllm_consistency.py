"""Per-request arrays of a detailed vLLM result (--save-detailed): their shape, and whether the run's
saved summary agrees with them.

vLLM computes its summary from the same arrays (successful requests only: those with an empty error), so
a saved mean or median that disagrees with them, a `completed` that is not the number of successes, or a
request that ended before its first token means the file was edited, merged or truncated. Such a run is
quarantined: dbt's consistency tests (data-tests/vllm_bench_*) would otherwise fail every build.
"""

from __future__ import annotations

from statistics import fmean, median
from typing import Any

from ingest.record_batch import is_json_number, json_type_name
from ingest.record_checks import RecordChecker

# element check per array: (test, what was expected)
_ELEMENT_CHECKS = {
    "count": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a non-negative integer"),
    "number": (is_json_number, "a number"),
    "duration": (lambda v: is_json_number(v) and v >= 0, "a number >= 0 (seconds)"),
    "durations": (lambda v: isinstance(v, list) and all(is_json_number(x) and x >= 0 for x in v),
                  "an array of numbers >= 0 (seconds)"),
    "text": (lambda v: v is None or isinstance(v, str), "a string or null"),
}
PER_REQUEST_ARRAYS = {
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
# a saved stat disagreeing with its arrays by more than this (relative) is quarantined; dbt's check
# (data-tests/vllm_bench_mean_ttft_matches_requests.sql) allows 0.1 %, so this is a little tighter
STAT_TOLERANCE = 0.0009


def _shown(value: Any) -> str:
    return json_type_name(value) if isinstance(value, (dict, list)) else repr(value)


def _well_formed(check: RecordChecker, present: list[str]) -> dict[str, list]:
    arrays = {}
    for name in present:
        values = check.record[name]
        if not isinstance(values, list):
            check.problem(f"field '{name}' is {json_type_name(values)}, expected an array (one element per request)")
            continue
        ok, expected = _ELEMENT_CHECKS[PER_REQUEST_ARRAYS[name]]
        bad = [i for i, v in enumerate(values) if not ok(v)]
        if bad:
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            check.problem(f"field '{name}' element [{bad[0]}] is {_shown(values[bad[0]])}, expected {expected}{more}")
            continue
        arrays[name] = values
    return arrays


def _compare(check: RecordChecker, stats: dict, metric: str, values_ms: list[float]) -> None:
    if not values_ms:
        return
    for stat, computed in (("mean", fmean(values_ms)), ("median", median(values_ms))):
        saved = stats.get(f"{stat}_{metric}_ms")
        if saved is not None and abs(saved - computed) > STAT_TOLERANCE * abs(saved):
            check.problem(f"field '{stat}_{metric}_ms' ({saved!r}) disagrees with the per-request arrays "
                          f"({computed:.6g} ms over the successful requests)")


def check_per_request_arrays(check: RecordChecker, completed: int | None, failed: int | None,
                             num_prompts: int | None, stats: dict) -> bool:
    """Record every problem of the arrays in `check`; True when the result has per-request arrays."""
    present = [name for name in PER_REQUEST_ARRAYS if check.present(name)]
    if not present:
        return False  # a summary-only result (saved without --save-detailed)
    arrays = _well_formed(check, present)
    lengths = {name: len(values) for name, values in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} {n}" for name, n in lengths.items())
        check.problem(f"per-request arrays differ in length ({shown})")
        return True
    if not lengths or len(arrays) < len(present):
        return True
    n = next(iter(lengths.values()))
    if completed is not None and failed is not None and n != completed + failed:
        check.problem(f"per-request arrays hold {n} requests, 'completed' + 'failed' is {completed + failed}")
    elif failed is None and num_prompts is not None and n != num_prompts:
        check.problem(f"per-request arrays hold {n} requests, 'num_prompts' is {num_prompts}")
    errors = arrays.get("errors")
    if errors is None:
        if completed:
            check.problem(f"per-request arrays saved without 'errors': which of the {n} requests completed is unknown")
        return True
    ok = [i for i, e in enumerate(errors) if not e]
    if completed is not None and len(ok) != completed:
        check.problem(f"field 'completed' ({completed}) != requests with an empty error ({len(ok)})")
    ttfts, latencies, itls, out = (arrays.get(k) for k in ("ttfts", "latencies", "itls", "output_lens"))
    if ttfts is not None and latencies is not None:
        early = [i for i in ok if latencies[i] < ttfts[i]]
        if early:
            check.problem(f"request [{early[0]}] ended before its first token (latency {latencies[early[0]]!r} s "
                          f"< ttft {ttfts[early[0]]!r} s){f' (and {len(early) - 1} more)' if len(early) > 1 else ''}")
    if ttfts is not None:
        _compare(check, stats, "ttft", [ttfts[i] * 1000 for i in ok])
    if latencies is not None:
        _compare(check, stats, "e2el", [latencies[i] * 1000 for i in ok])
        if ttfts is not None and out is not None:
            _compare(check, stats, "tpot", [(latencies[i] - ttfts[i]) * 1000 / (out[i] - 1) for i in ok if out[i] > 1])
    if itls is not None:
        _compare(check, stats, "itl", [gap * 1000 for i in ok for gap in itls[i]])
    return True
