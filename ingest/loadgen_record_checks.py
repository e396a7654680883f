"""What is wrong with one record of a loadgen run: a trace line (request or end line) or its summary.json.

Each check collects EVERY reason (ingest.record_checks.Findings), so a quarantined record says all that is
wrong with it at once. Field types are read with ingest.record_checks.RecordChecker (a plain numeric
string is read as its number, with a note). The checks on values (negative timings, out-of-order chunk
times, e2el below ttft, ...) are those an error-level dbt test on the loadgen models would otherwise trip
over; `request_value_reasons_sql` states them once, as SQL over the staged lines, so the fast path
(DuckDB reads the whole trace) and the line-by-line path give the same verdicts.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ingest.record_batch import json_type_name, loads_strict
from ingest.record_checks import Findings, RecordChecker
from loadgen.records import END_FIELDS, REQUEST_FIELDS

END_STATUSES = ("completed", "interrupted", "failed")
LINE_TYPES = {"request": dict(REQUEST_FIELDS), "end": dict(END_FIELDS)}
# the dbt check loadgen_runs_match_summary compares within var run_summary_tolerance (dbt_project.yml)
SUMMARY_TOLERANCE = 1e-6


def read_field(check: RecordChecker, name: str, duck_type: str) -> Any:
    """The field typed as the raw column wants it, or None (a reason recorded when it was unusable)."""
    value = check.record.get(name)
    if value is None:
        return None
    if duck_type == "BIGINT":
        return check.number(name, integer=True)
    if duck_type == "DOUBLE":
        return check.number(name)
    if duck_type == "BOOLEAN":
        return check.boolean(name)
    if duck_type == "VARCHAR":
        if isinstance(value, str):
            return value
        check.problem(f"field '{name}' is {json_type_name(value)}, expected a string")
        return None
    if duck_type.endswith("[]"):
        integer = duck_type == "BIGINT[]"
        ok = isinstance(value, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            and (not integer or isinstance(v, int)) for v in value)
        if not ok:
            check.problem(f"field '{name}' is {_shown(value)}, expected an array of "
                          f"{'integers' if integer else 'numbers'}")
            return None
        return value
    return json.dumps(value)  # JSON columns take any value


def check_line(raw: str, run_id: str, is_last: bool) -> tuple[str | None, dict, Findings]:
    """(line type or None, typed fields, findings) of one trace line after the header."""
    try:
        obj = loads_strict(raw)
    except ValueError as exc:
        findings = Findings()
        torn = " (a killed writer's half-written last line)" if is_last else ""
        findings.problem(f"not valid JSON: {getattr(exc, 'msg', exc)}{torn}")
        return None, {}, findings
    if not isinstance(obj, dict):
        findings = Findings()
        findings.problem(f"a trace line must be a JSON object, not {json_type_name(obj)}")
        return None, {}, findings
    check = RecordChecker(obj)
    kind = obj.get("type")
    if kind == "run":
        check.problem("a second run header (the header must be line 1 only)")
    elif kind not in LINE_TYPES:
        check.problem(f"field 'type' is {_shown(kind)}, expected 'request' or 'end'")
    if obj.get("run_id") != run_id:
        check.problem(f"field 'run_id' is {_shown(obj.get('run_id'))}, but the header says {run_id!r}")
    fields = LINE_TYPES.get(kind, LINE_TYPES["request"])
    typed = {name: read_field(check, name, duck_type) for name, duck_type in fields.items()
             if name not in ("type", "run_id")}
    if kind == "end":
        status = typed.get("status")
        if status not in END_STATUSES:
            check.problem(f"field 'status' is {_shown(obj.get('status'))}, expected one of "
                          f"{', '.join(END_STATUSES)}")
        for name in ("duration_s", "requests_written", "end_unix_ns"):
            if typed.get(name) is not None and typed[name] < 0:
                check.problem(f"field '{name}' is negative ({typed[name]!r})")
    return (kind if kind in LINE_TYPES else None), typed, check


def _neg(column: str) -> tuple[str, str]:
    return f"{column} < 0", f"'field ''{column}'' is negative (' || {column} || ')'"


# (condition, reason expression) over the staged request lines; the reason names the field and its value.
_REQUEST_VALUE_CHECKS: list[tuple[str, str]] = [
    ("request_id is null or request_id = ''", "'missing required field ''request_id'''"),
    ("warmup is null", "'missing required field ''warmup'''"),
    ("success is null", "'missing required field ''success'''"),
    ("num_chunks is null", "'missing required field ''num_chunks'''"),
    ("success and ttft_ms is null", "'field ''ttft_ms'' is null on a successful request'"),
    ("success and e2el_ms is null", "'field ''e2el_ms'' is null on a successful request'"),
    *(_neg(c) for c in ("ttft_ms", "e2el_ms", "tpot_ms", "queue_ns", "scheduled_offset_ns", "send_offset_ns",
                        "send_unix_ns", "input_tokens", "output_tokens", "num_chunks", "retries")),
    ("e2el_ms < ttft_ms", "'e2el_ms (' || e2el_ms || ') is below ttft_ms (' || ttft_ms || ')'"),
    ("send_offset_ns < scheduled_offset_ns",
     "'send_offset_ns (' || send_offset_ns || ') is before scheduled_offset_ns (' || scheduled_offset_ns || ')'"),
    ("num_chunks > 0 and chunk_ns is null", "'field ''chunk_ns'' is null but num_chunks is ' || num_chunks"),
    ("len(chunk_ns) <> num_chunks", "'chunk_ns has ' || len(chunk_ns) || ' times but num_chunks is ' || num_chunks"),
    ("len(list_filter(chunk_ns, lambda t: t < 0)) > 0", "'chunk_ns has negative times'"),
    # int_loadgen__chunks needs every chunk time and the send offset (offset_ns / run_offset_ns not null)
    ("len(list_filter(chunk_ns, lambda t: t is null)) > 0", "'chunk_ns has null times'"),
    ("num_chunks > 0 and send_offset_ns is null", "'field ''send_offset_ns'' is null on a request with chunks'"),
    ("len(list_filter(range(1, len(chunk_ns)), lambda i: chunk_ns[i + 1] < chunk_ns[i])) > 0",
     "'chunk_ns times are out of order'"),
    ("len(itl_ms) <> greatest(num_chunks - 1, 0)",
     "'itl_ms has ' || len(itl_ms) || ' gaps but num_chunks is ' || num_chunks"),
    # int_loadgen__chunks checks every recorded ITL against its chunk gap (µs rounding)
    ("len(itl_ms) = len(chunk_ns) - 1 and len(list_filter(range(1, len(chunk_ns)), "
     "lambda i: abs(itl_ms[i] - (chunk_ns[i + 1] - chunk_ns[i]) / 1e6) > 0.0005000001)) > 0",
     "'itl_ms disagrees with the gaps between chunk_ns times'"),
]


def request_value_reasons_sql() -> str:
    """SQL expression over a staged request line: its value problems '; '-joined, or null. Duplicate
    request_ids are found separately (they need the whole run)."""
    parts = [f"case when {cond} then {reason} end" for cond, reason in _REQUEST_VALUE_CHECKS]
    return f"nullif(concat_ws('; ', {', '.join(parts)}), '')"


# --------------------------------------------------------------------------- summary.json

# (fct_runs figure, summary key) compared by the dbt test loadgen_runs_match_summary
_COMPARED = ([("duration_s", "duration")] + [(k, k) for k in (
    "completed", "failed", "total_input_tokens", "total_output_tokens", "request_throughput", "output_throughput",
    "total_token_throughput", "output_throughput_per_gpu", "total_token_throughput_per_gpu")]
    + [(f"{s}_{m}_ms", f"{s}_{m}_ms") for m in ("ttft", "tpot", "itl", "e2el") for s in ("mean", "median", "p90", "p99")])


def check_summary(doc: dict, requests: list[dict], duration_s: float | None, num_gpus: int | None) -> Findings:
    """What is wrong with a summary.json given the run's usable request lines: bad counts, and figures
    that disagree with what the warehouse computes from the lines (the definitions of loadgen.metrics,
    which fct_runs reproduces) beyond SUMMARY_TOLERANCE."""
    from loadgen.metrics import _block

    check = RecordChecker(doc)
    main = [r for r in requests if not r["warmup"] and r["error_class"] != "cancelled"]
    completed = check.number("completed", integer=True, minimum=0)
    check.number("failed", integer=True, minimum=0)
    if completed is not None and completed > len(main):
        check.problem(f"field 'completed' is {completed}, more than the {len(main)} main-phase request lines "
                      "of the trace")
    if duration_s is None:
        return check
    figures = _block(main, duration_s, [50.0, 90.0, 99.0])
    figures["duration_s"] = duration_s
    for name in ("output_throughput", "total_token_throughput"):
        figures[f"{name}_per_gpu"] = figures[name] / num_gpus if num_gpus else None
    for ours, theirs in _COMPARED:
        if theirs not in doc or doc[theirs] is None or any(r.startswith(f"field '{theirs}'") for r in check.reasons):
            continue
        given = check.number(theirs, note_strings=False)
        mine = figures.get(ours)
        mine = 0.0 if mine is None or (isinstance(mine, float) and math.isnan(mine)) else mine
        if given is not None and abs(mine - given) > SUMMARY_TOLERANCE * max(abs(mine), abs(given), 1):
            check.problem(f"field '{theirs}' is {given!r}, but the trace's request lines give {mine!r}")
    return check


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json_type_name(value)
    return "null" if value is None else f"{json_type_name(value)} {value!r}"
