"""Shape checks for tool-use evaluation records, one function per record kind.

Each check returns the record's Findings: EVERY reason it cannot be used, each naming the field (the
record then lands quarantined, out of the marts), and notes on what was accepted as is (a rate written as
a numeric string). The reasons cover everything a dbt test on the tool_eval models would otherwise fail
on (docs/eval_events.md, "What is quarantined"). The ingester only flags what dbt could not interpret; cleaning and reconciliation (`success` vs `successful`,
`tool_success_rate` vs `tool_reliability`, list-or-count `tool_calls`) stay in SQL so they are visible and
tested there. Unknown fields are always allowed: the record is landed verbatim.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ingest.record_batch import is_json_number as _is_number
from ingest.record_checks import INT32_MAX, Findings, RecordChecker, parse_numeric_text

# outcome labels the evaluation runner wrote in `success_level` / `execution_status`
SUCCESS_LEVELS = {"full_success", "partial_success", "failure"}

# numeric per-test measurements; null is allowed (the runner wrote null when it had no value)
_NUMERIC_TEST_FIELDS = (
    "turns", "workflow_score", "phase2_score", "quality_score", "final_score", "tool_coverage_rate",
)
# dbt bounds execution times to [0, 1e9] s (stg_tool_eval__events); beyond that it is not a time
MAX_EXECUTION_TIME_S = 1e9

# counters of a legacy master_database.json leaf that must be non-negative integers when present
_LEGACY_COUNT_FIELDS = (
    "total", "success", "successful", "full_success", "partial", "partial_success", "failed", "failure",
    "total_errors", "tool_call_format_errors", "timeout_errors", "dependency_errors",
    "parameter_config_errors", "tool_selection_errors", "sequence_order_errors", "max_turns_errors",
    "other_errors",
)
_LEGACY_AVG_FIELDS = ("avg_execution_time", "avg_turns", "avg_tool_calls")


def parse_rate(value: Any) -> float | None:
    """A tool success rate as a float in [0, 1], from a number or a plain numeric string; None if invalid."""
    if isinstance(value, str):
        value = parse_numeric_text(value)
    if value is None or not _is_number(value) or not 0 <= value <= 1:
        return None
    return float(value)


def _parse_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def validate_test_record(record: Any) -> Findings:
    """Every problem of one per-test event (a line of a JSONL log or an element of a JSON array)."""
    if not isinstance(record, dict):
        findings = Findings()
        findings.problem(f"expected a JSON object, got {type(record).__name__}")
        return findings
    check = RecordChecker(record)
    for name in ("model", "prompt_type", "task_type"):
        check.text(name, required=True)
    check.text("difficulty")

    # older runners wrote `tool_reliability`; either is fine, a present one must be a rate
    for name in ("tool_success_rate", "tool_reliability"):
        if check.present(name):
            rate = parse_rate(record[name])
            if rate is None:
                check.problem(f"field '{name}' must be a number in [0, 1], got {record[name]!r}")
            elif isinstance(record[name], str):
                check.note(f"field '{name}' is the numeric string {record[name]!r}, read as {rate!r}")

    # the outcome: newer `success`, older `successful`, or an explicit `success_level`
    if not any(check.present(f) for f in ("success", "successful", "success_level")):
        check.problem("missing outcome: none of 'success', 'successful', 'success_level' is set")
    for name in ("success", "successful", "partial_success"):
        if check.present(name) and not isinstance(record[name], bool):
            check.problem(f"field '{name}' must be true or false, got {record[name]!r}")
    level = record.get("success_level")
    if level is not None and level not in SUCCESS_LEVELS:
        check.problem(f"field 'success_level' must be one of {sorted(SUCCESS_LEVELS)}, got {level!r}")

    # event identity needs a test id or a timestamp (see docs/eval_events.md, "Event identity")
    test_id = record.get("test_id")
    if test_id is not None and not (isinstance(test_id, str) and test_id.strip() or isinstance(test_id, int) and not isinstance(test_id, bool)):
        check.problem(f"field 'test_id' must be a non-empty string or an integer, got {test_id!r}")
    if check.present("timestamp") and not _parse_timestamp(record["timestamp"]):
        check.problem(f"field 'timestamp' must be an ISO-8601 date-time, got {record['timestamp']!r}")
    if test_id is None and not check.present("timestamp"):
        check.problem("cannot identify the event: neither 'test_id' nor 'timestamp' is set")

    check.number("execution_time", minimum=0, maximum=MAX_EXECUTION_TIME_S, unit="seconds")
    for name in _NUMERIC_TEST_FIELDS:
        check.number(name)
    calls = record.get("tool_calls")
    if not isinstance(calls, list):
        check.number("tool_calls", minimum=0)
    for name in ("error_category", "ai_error_category", "error_type", "error_message"):
        if check.present(name) and not isinstance(record[name], str):
            check.problem(f"field '{name}' must be a string, got {record[name]!r}")
    return check


def validate_legacy_cell(cell: Any) -> Findings:
    """Every problem of one leaf of a master_database.json (an aggregate over `total` tests)."""
    if not isinstance(cell, dict):
        findings = Findings()
        findings.problem(f"expected a JSON object of counters, got {type(cell).__name__}")
        return findings
    check = RecordChecker(cell)
    # dbt casts the counters to INTEGER: beyond that the cast (and the build) would fail
    counts = {name: check.number(name, required=name == "total", integer=True, minimum=0, maximum=INT32_MAX)
              for name in _LEGACY_COUNT_FIELDS}
    for name in _LEGACY_AVG_FIELDS:
        check.number(name, minimum=0)
    full = next((counts[f] for f in ("full_success", "success", "successful") if counts[f] is not None), 0)
    partial = next((counts[f] for f in ("partial", "partial_success") if counts[f] is not None), 0)
    if counts["total"] is not None and full + partial > counts["total"]:
        check.problem(f"successes ({full}) + partials ({partial}) exceed 'total' ({counts['total']})")
    return check
