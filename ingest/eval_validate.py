"""Shape checks for tool-use evaluation records, one function per record kind.

Each check returns None for a usable record or a one-line reason naming the offending field. The ingester
only rejects what dbt could not interpret; cleaning and reconciliation (`success` vs `successful`,
`tool_success_rate` vs `tool_reliability`, list-or-count `tool_calls`) stay in SQL so they are visible and
tested there. Unknown fields are always allowed: the record is landed verbatim.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ingest.record_batch import is_json_number as _is_number

# outcome labels the evaluation runner wrote in `success_level` / `execution_status`
SUCCESS_LEVELS = {"full_success", "partial_success", "failure"}

# numeric per-test measurements; null is allowed (the runner wrote null when it had no value)
_NUMERIC_TEST_FIELDS = (
    "execution_time", "turns", "workflow_score", "phase2_score", "quality_score", "final_score",
    "tool_coverage_rate",
)

# counters of a legacy master_database.json leaf that must be non-negative integers when present
_LEGACY_COUNT_FIELDS = (
    "total", "success", "successful", "full_success", "partial", "partial_success", "failed", "failure",
    "total_errors", "tool_call_format_errors", "timeout_errors", "dependency_errors",
    "parameter_config_errors", "tool_selection_errors", "sequence_order_errors", "max_turns_errors",
    "other_errors",
)
_LEGACY_AVG_FIELDS = ("avg_execution_time", "avg_turns", "avg_tool_calls")


def _nonempty_str(record: dict, field: str) -> str | None:
    value = record.get(field)
    if value is None:
        return f"missing required field '{field}'"
    if not isinstance(value, str) or not value.strip():
        return f"field '{field}' must be a non-empty string, got {value!r}"
    return None


def parse_rate(value: Any) -> float | None:
    """A tool success rate as a float in [0, 1], from a number or a numeric string; None if invalid."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not _is_number(value) or not 0 <= value <= 1:
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


def validate_test_record(record: Any) -> str | None:
    """Check one per-test event (a line of a JSONL log or an element of a JSON array)."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    for field in ("model", "prompt_type", "task_type"):
        if problem := _nonempty_str(record, field):
            return problem
    if "difficulty" in record and record["difficulty"] is not None and _nonempty_str(record, "difficulty"):
        return _nonempty_str(record, "difficulty")

    # older runners wrote `tool_reliability`; either is fine, a present one must be a rate
    for field in ("tool_success_rate", "tool_reliability"):
        if record.get(field) is not None and parse_rate(record[field]) is None:
            return f"field '{field}' must be a number in [0, 1], got {record[field]!r}"

    # the outcome: newer `success`, older `successful`, or an explicit `success_level`
    outcome_fields = [f for f in ("success", "successful", "success_level") if record.get(f) is not None]
    if not outcome_fields:
        return "missing outcome: none of 'success', 'successful', 'success_level' is set"
    for field in ("success", "successful", "partial_success"):
        if record.get(field) is not None and not isinstance(record[field], bool):
            return f"field '{field}' must be true or false, got {record[field]!r}"
    level = record.get("success_level")
    if level is not None and level not in SUCCESS_LEVELS:
        return f"field 'success_level' must be one of {sorted(SUCCESS_LEVELS)}, got {level!r}"

    # event identity needs a test id or a timestamp (see docs/eval_events.md, "Event identity")
    test_id = record.get("test_id")
    if test_id is not None and not (isinstance(test_id, str) and test_id.strip() or isinstance(test_id, int) and not isinstance(test_id, bool)):
        return f"field 'test_id' must be a non-empty string or an integer, got {test_id!r}"
    if record.get("timestamp") is not None and not _parse_timestamp(record["timestamp"]):
        return f"field 'timestamp' must be an ISO-8601 date-time, got {record['timestamp']!r}"
    if test_id is None and record.get("timestamp") is None:
        return "cannot identify the event: neither 'test_id' nor 'timestamp' is set"

    for field in _NUMERIC_TEST_FIELDS:
        value = record.get(field)
        if value is not None and not _is_number(value):
            return f"field '{field}' must be a number, got {value!r}"
    if record.get("execution_time") is not None and record["execution_time"] < 0:
        return f"field 'execution_time' must be >= 0, got {record['execution_time']!r}"
    calls = record.get("tool_calls")
    if calls is not None and not (isinstance(calls, list) or _is_number(calls) and calls >= 0):
        return f"field 'tool_calls' must be a list of calls or a non-negative count, got {calls!r}"
    for field in ("error_category", "ai_error_category", "error_type", "error_message"):
        if record.get(field) is not None and not isinstance(record[field], str):
            return f"field '{field}' must be a string, got {record[field]!r}"
    return None


def validate_legacy_cell(cell: Any) -> str | None:
    """Check one leaf of a master_database.json (an aggregate over `total` tests, not a single test)."""
    if not isinstance(cell, dict):
        return f"expected a JSON object of counters, got {type(cell).__name__}"
    if "total" not in cell:
        return "missing required field 'total'"
    for field in _LEGACY_COUNT_FIELDS:
        value = cell.get(field)
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            return f"field '{field}' must be a non-negative integer, got {value!r}"
    for field in _LEGACY_AVG_FIELDS:
        value = cell.get(field)
        if value is not None and not (_is_number(value) and value >= 0):
            return f"field '{field}' must be a non-negative number, got {value!r}"
    full = next((cell[f] for f in ("full_success", "success", "successful") if cell.get(f) is not None), 0)
    partial = next((cell[f] for f in ("partial", "partial_success") if cell.get(f) is not None), 0)
    if full + partial > cell["total"]:
        return f"successes ({full}) + partials ({partial}) exceed 'total' ({cell['total']})"
    return None
