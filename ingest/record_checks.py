"""Field checks that collect EVERY problem of one record instead of stopping at the first.

A record-batch ingester (`eval-events`, `vllm-results`) lands a record with problems verbatim but
quarantined, with all of its reasons, so one look at the quarantine says everything that is wrong with it.
A numeric string that parses cleanly ("12.5", "3") is accepted with a note: dbt's safe casts read it as the
number it spells. Only plain decimal spellings count: Python's float() also takes "1_000", " 7 " and
"nan", which the SQL casts do not read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ingest.record_batch import is_json_number, json_type_name

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?")

# legacy counters are cast to SQL INTEGER: a larger value would fail the build, not one record
INT32_MAX = 2**31 - 1


def parse_numeric_text(text: str, integer: bool = False) -> int | float | None:
    """The number a string spells in plain decimal, or None (also for inf/nan and out-of-range floats)."""
    if integer:
        return int(text) if _INTEGER_TEXT.fullmatch(text) else None
    if not _DECIMAL_TEXT.fullmatch(text):
        return None
    value = float(text)
    return value if is_json_number(value) else None


@dataclass
class Findings:
    """What is wrong with one record (reasons: it is quarantined) and what was accepted as is (notes)."""
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def problem(self, reason: str) -> None:
        self.reasons.append(reason)

    def note(self, note: str) -> None:
        self.notes.append(note)


class RecordChecker(Findings):
    """Typed reads of one JSON object's top-level fields; every failed read adds a reason naming the field."""

    def __init__(self, record: dict):
        super().__init__()
        self.record = record

    def present(self, name: str) -> bool:
        return self.record.get(name) is not None

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.record.get(name)
        if value is None:
            if required:
                self.problem(f"missing required field '{name}'")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"field '{name}' is {_shown(value)}, expected a non-empty string")
            return None
        return value

    def number(self, name: str, *, required: bool = False, integer: bool = False, minimum: float | None = None,
               exclusive_minimum: bool = False, maximum: float | None = None, note_strings: bool = True,
               unit: str = "") -> int | float | None:
        """The field as a number, or None when absent or unusable (a reason is recorded for the latter).
        A plain numeric string is read as its number (with a note unless the format always uses strings)."""
        value = self.record.get(name)
        if value is None:
            if required:
                self.problem(f"missing required field '{name}'")
            return None
        expected = _expected(integer, minimum, exclusive_minimum, maximum, unit)
        if isinstance(value, str):
            parsed = parse_numeric_text(value, integer)
            if parsed is None:
                self.problem(f"field '{name}' is the string {value!r}, expected {expected}")
                return None
            if note_strings:
                self.note(f"field '{name}' is the numeric string {value!r}, read as {parsed!r}")
            value = parsed
        elif not is_json_number(value) or (integer and not isinstance(value, int)):
            self.problem(f"field '{name}' is {_shown(value)}, expected {expected}")
            return None
        if (minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
                or maximum is not None and value > maximum):
            self.problem(f"field '{name}' is {value!r}, expected {expected}")
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        """true/false, or the strings "true"/"false" (some writers quote them), with a note."""
        value = self.record.get(name)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            self.note(f"field '{name}' is the string {value!r}, read as {value.strip().lower()}")
            return value.strip().lower() == "true"
        self.problem(f"field '{name}' is {_shown(value)}, expected true or false")
        return None


def _expected(integer: bool, minimum, exclusive_minimum: bool, maximum, unit: str) -> str:
    kind = "an integer" if integer else "a number"
    if minimum == 0 and integer and not exclusive_minimum and maximum is None:
        kind = "a non-negative integer"
    elif minimum == 0 and integer and exclusive_minimum:
        kind = "a positive integer"
    else:
        bounds = []
        if minimum is not None:
            bounds.append(f"{'>' if exclusive_minimum else '>='} {_bound(minimum)}")
        if maximum is not None:
            bounds.append(f"<= {_bound(maximum)}")
        if bounds:
            kind += " " + " and ".join(bounds)
    return f"{kind} ({unit})" if unit else kind


def _bound(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json_type_name(value)
    return f"{json_type_name(value)} {value!r}" if value is not None else "null"
