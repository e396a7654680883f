"""Parse one InferenceX response/dump file and check it, at two levels.

A FILE that is not what its route serves (not UTF-8, an HTML page, truncated or invalid JSON, the wrong
top-level shape) is an IngestError naming the file: its capture fails and nothing lands. A RECORD with
problems (a missing key field, a metric that is null or not a number, a wrong type) is kept verbatim and
carries its reasons; it lands, and staging puts it in stg_inferencex__quarantine. Numeric strings and
"true"/"false" strings are accepted with a note (the app's own ETL accepts them too).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from ingest.errors import IngestError
from ingest.inferencex_routes import WORKFLOW_INFO, WORKFLOW_INFO_PARTS, record_kind
from ingest.land import canonical_json
from ingest.record_batch import json_type_name, loads_strict

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_NUMBER_TEXT = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")

# The 17-field config key as the API spells it inline (benchmarks, history, evaluations) and the dump's
# configs table holds it.
CONFIG_TEXT = ("hardware", "framework", "model", "precision", "spec_method")
CONFIG_BOOL = ("disagg", "is_multinode", "prefill_dp_attention", "decode_dp_attention")
CONFIG_INT = ("prefill_tp", "prefill_ep", "prefill_num_workers", "decode_tp", "decode_ep", "decode_num_workers",
              "num_prefill_gpu", "num_decode_gpu")

# Per record kind: (text fields, integer fields, boolean fields, date fields, metrics object required).
_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = {
    "benchmarks": (CONFIG_TEXT, CONFIG_INT + ("isl", "osl", "conc"), CONFIG_BOOL, ("date",), True),
    "benchmarks_history": (CONFIG_TEXT, CONFIG_INT + ("isl", "osl", "conc"), CONFIG_BOOL, ("date",), True),
    "evaluations": (CONFIG_TEXT + ("task",), CONFIG_INT, CONFIG_BOOL, ("date",), True),
    "availability": (("model", "precision", "hardware", "framework", "spec_method"), ("isl", "osl"), ("disagg",),
                     ("date",), False),
    "reliability": (("hardware",), ("n_success", "total"), (), ("date",), False),
    "workflow_runs": ((), ("github_run_id", "run_attempt"), (), ("date",), False),
    "changelog_entries": (("workflow_run_id",), (), (), ("date",), False),
    "dump_configs": (CONFIG_TEXT, ("id",) + CONFIG_INT, CONFIG_BOOL, (), False),
    "dump_workflow_runs": (("name",), ("id", "github_run_id", "run_attempt"), (), ("date",), False),
    "dump_benchmark_results": (("benchmark_type",), ("id", "workflow_run_id", "config_id", "isl", "osl", "conc"), (),
                               ("date",), True),
    "dump_eval_results": (("task",), ("id", "workflow_run_id", "config_id"), (), ("date",), True),
    "dump_run_stats": (("hardware",), ("id", "workflow_run_id", "n_success", "total"), (), ("date",), False),
    "dump_changelog_entries": (("base_ref", "head_ref"), ("id", "workflow_run_id"), (), ("date",), False),
    "dump_availability": (("model", "precision", "hardware", "framework", "spec_method"), ("isl", "osl"), ("disagg",),
                          ("date",), False),
    "dump_server_logs": ((), ("id",), (), (), False),
}


@dataclass
class CheckedRecord:
    kind: str
    index: int              # 0-based position in its array
    locator: str            # e.g. `[12]` or `runs[3]`
    text: str               # canonical JSON (sorted keys): what lands, and what record_sha256 hashes
    sha256: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dates: tuple[str, ...] = ()


@dataclass
class CheckedFile:
    file_name: str
    route: str
    records: list[CheckedRecord]

    @property
    def quarantined(self) -> int:
        return sum(1 for r in self.records if r.problems)


def parse_body(body: bytes, where: str) -> Any:
    """The file's JSON, or a one-line IngestError saying why it is not JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    stripped = text.lstrip()
    if not stripped:
        raise IngestError(f"{where}: empty response, expected JSON")
    if stripped.startswith("<"):
        raise IngestError(f"{where}: an HTML page, not JSON (wrong URL, or a login/error page?)")
    try:
        return loads_strict(text)
    except ValueError as exc:
        pos = getattr(exc, "pos", None)
        msg = getattr(exc, "msg", str(exc))
        # a body cut short ends inside a string or before the closing brackets
        ends_early = msg.startswith("Unterminated string") or (pos is not None and pos >= len(text.rstrip()))
        raise IngestError(f"{where}: not valid JSON{' (truncated?)' if ends_early else ''}: {msg} "
                          f"(character {pos})") from None


def _check_int(rec: dict, name: str, problems: list[str], notes: list[str]) -> None:
    value = rec.get(name)
    if isinstance(value, bool) or value is None:
        problems.append(f"{name} missing" if value is None else f"{name} is a boolean, expected an integer")
    elif isinstance(value, str):
        if re.fullmatch(r"\s*-?\d+\s*", value):
            notes.append(f"{name} is a numeric string")
        else:
            problems.append(f"{name} is {value!r}, expected an integer")
    elif isinstance(value, float) and not value.is_integer():
        problems.append(f"{name} is {value!r}, expected an integer")
    elif not isinstance(value, (int, float)):
        problems.append(f"{name} is {json_type_name(value)}, expected an integer")


def _check_bool(rec: dict, name: str, problems: list[str], notes: list[str]) -> None:
    value = rec.get(name)
    if value is None:
        problems.append(f"{name} missing")
    elif isinstance(value, str) and value.strip().lower() in ("true", "false"):
        notes.append(f"{name} is the string {value!r}")
    elif not isinstance(value, bool):
        problems.append(f"{name} is {json_type_name(value)}, expected true/false")


def _check_metrics(metrics: Any, problems: list[str], notes: list[str]) -> None:
    if metrics is None:
        problems.append("metrics missing")
        return
    if not isinstance(metrics, dict):
        problems.append(f"metrics is {json_type_name(metrics)}, expected an object")
        return
    for name, value in metrics.items():
        if isinstance(value, bool) or value is None:
            problems.append(f"metrics.{name} is {json_type_name(value)}, expected a number")
        elif isinstance(value, str):
            if _NUMBER_TEXT.match(value):
                notes.append(f"metrics.{name} is a numeric string")
            else:
                problems.append(f"metrics.{name} is {value!r}, not a number")
        elif not isinstance(value, (int, float)):
            problems.append(f"metrics.{name} is {json_type_name(value)}, expected a number")


def check_record(kind: str, rec: Any) -> tuple[list[str], list[str], tuple[str, ...]]:
    """(problems, notes, dates) of one record."""
    if not isinstance(rec, dict):
        return [f"record is {json_type_name(rec)}, expected an object"], [], ()
    texts, ints, bools, dates, needs_metrics = _RULES[kind]
    problems: list[str] = []
    notes: list[str] = []
    for name in texts:
        value = rec.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"{name} missing or empty")
        elif not isinstance(value, (str, int)) or isinstance(value, bool):
            problems.append(f"{name} is {json_type_name(value)}, expected text")
    for name in ints:
        _check_int(rec, name, problems, notes)
    for name in bools:
        _check_bool(rec, name, problems, notes)
    seen: list[str] = []
    for name in dates:
        value = rec.get(name)
        if not isinstance(value, str) or not _DATE.match(value):
            problems.append(f"{name} is {value!r}, expected YYYY-MM-DD")
        else:
            seen.append(value[:10])
    if needs_metrics:
        _check_metrics(rec.get("metrics"), problems, notes)
    return problems, notes, tuple(seen)


def _checked(kind: str, index: int, locator: str, rec: Any) -> CheckedRecord:
    text = canonical_json(rec)
    problems, notes, dates = check_record(kind, rec)
    return CheckedRecord(kind, index, locator, text, hashlib.sha256(text.encode("ascii")).hexdigest(),
                         problems, notes, dates)


def check_file(file_name: str, route: str, body: bytes, where: str) -> CheckedFile:
    """Parse and check one file of `route`; `where` (URL or path) names it in errors."""
    doc = parse_body(body, where)
    records: list[CheckedRecord] = []
    if route == WORKFLOW_INFO:
        if not isinstance(doc, dict) or not all(isinstance(doc.get(p), list) for p in WORKFLOW_INFO_PARTS):
            raise IngestError(f"{where}: expected an object with 'runs' and 'changelogs' arrays, got "
                              f"{json_type_name(doc) if not isinstance(doc, dict) else 'keys ' + ', '.join(sorted(doc)) or 'an empty object'}")
        for part in WORKFLOW_INFO_PARTS:
            kind = record_kind(route, part)
            records += [_checked(kind, i, f"{part}[{i}]", r) for i, r in enumerate(doc[part])]
    else:
        if not isinstance(doc, list):
            hint = f" with keys {', '.join(sorted(doc)[:5])}" if isinstance(doc, dict) else ""
            raise IngestError(f"{where}: expected a JSON array of records, got {json_type_name(doc)}{hint}")
        kind = record_kind(route)
        records = [_checked(kind, i, f"[{i}]", r) for i, r in enumerate(doc)]
    return CheckedFile(file_name, route, records)
