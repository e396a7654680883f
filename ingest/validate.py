"""Validation of InferenceMAX files: file names and JSON shape (file level), and every point (record level).

A file-level problem (HTML page, truncated JSON, not an array, bad encoding, empty body, unknown name) fails
the whole snapshot. A record-level problem (a key field missing, null, of the wrong type or out of range, an
unknown precision, a non-object record, a second point with the same run key) does not: the record lands
verbatim with EVERY reason found and is kept out of the marts (dbt's stg_inferencemax__points_quarantine),
unless the caller is strict. A numeric string that parses cleanly ("16") is accepted with a note. The checks
here cover every input that could otherwise trip an error-level dbt test downstream. Unknown fields are always
kept: the site adds fields over time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from ingest.errors import IngestError
from semibench_core import paths

SERVED_NAME = re.compile(r"^(?P<model>.+)-(?P<seq>\d+k_\d+k)-(?P<type>interactivity|e2e)\.json$")
# The old pipeline's archive used underscores between the parts.
LEGACY_NAME = re.compile(r"^(?P<model>.+)_(?P<seq>\d+k_\d+k)_(?P<type>interactivity|e2e)\.json$")

NUMBER_FIELDS = ("x", "y", "tp", "conc")
INTEGER_FIELDS = ("tp", "conc")
_MAX_INT = 2**31 - 1  # tp and conc are 32-bit integer columns on every engine
STRING_FIELDS = ("hwKey", "precision")
KEY_FIELDS = ("x", "y", "hwKey", "precision", "tp", "conc")
# Precisions InferenceMAX/InferenceX have published or announced; anything else is more likely a broken
# field than a new format, and a new one is one line here. Compared lower-cased.
KNOWN_PRECISIONS = frozenset({"fp4", "fp8", "fp16", "bf16", "fp32", "int4", "int8", "mxfp4", "nvfp4", "w4a16", "w8a8"})
# Exactly JSON's number grammar: what a numeric string must look like to be accepted (and what every SQL
# engine's cast agrees on), so " 16", "0x10", "1_000" or "inf" are quarantined rather than guessed at.
_NUMERIC_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class FileName:
    model_slug: str
    sequence_slug: str
    data_type: str

    @property
    def canonical(self) -> str:
        """The served form, which is what the warehouse and archive call every file."""
        return f"{self.model_slug}-{self.sequence_slug}-{self.data_type}.json"


@dataclass(frozen=True)
class RawFile:
    """File bytes exactly as fetched or read, before any parsing."""
    file_name: str              # as found: served or legacy form (without a .gz suffix)
    url: str                    # URL fetched or local path read; also the label in error messages
    body: bytes
    content_type: str | None = None
    allow_wrapped: bool = False  # the legacy {"metadata", "data"} form is accepted from directories only


@dataclass(frozen=True)
class RecordCheck:
    """The verdict on one point: quarantine reasons (empty: valid) and notes on accepted coercions."""
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def quarantined(self) -> bool:
        return bool(self.reasons)


@dataclass
class ValidatedFile:
    name: FileName
    url: str
    body: bytes
    points: list[Any]  # verbatim; objects, except records quarantined as "not an object"
    metadata: dict[str, Any] | None = None
    checks: list[RecordCheck] = field(default_factory=list)  # one per point, same order
    sha256: str = field(init=False)
    hw_keys: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.body).hexdigest()
        if not self.checks:
            self.checks = check_records(self.points)
        self.hw_keys = sorted({p["hwKey"] for p, c in zip(self.points, self.checks)
                               if not c.quarantined and isinstance(p.get("hwKey"), str)})

    @property
    def records_quarantined(self) -> int:
        return sum(c.quarantined for c in self.checks)

    def quarantine_lines(self) -> list[str]:
        """`record N: reason; reason` per quarantined record, for messages."""
        return [f"record {i}: {'; '.join(c.reasons)}" for i, c in enumerate(self.checks) if c.quarantined]

    @property
    def canonical_name(self) -> str:
        return self.name.canonical


def parse_file_name(file_name: str, label: str) -> FileName:
    """Model, sequence and type from a served or legacy file name; anything else is an error, because a
    silently skipped .json file would make a snapshot quietly incomplete."""
    match = SERVED_NAME.match(file_name) or LEGACY_NAME.match(file_name)
    if not match:
        raise IngestError(
            f"{label}: file name not recognised: expected <model>-<NkNk seq>-<interactivity|e2e>.json "
            f"(served) or <model>_<seq>_<type>.json (legacy), e.g. gpt-oss-120b-1k_8k-e2e.json"
        )
    return FileName(match["model"], match["seq"], match["type"])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _article(type_name: str) -> str:
    return "" if type_name == "null" else "an" if type_name[0] in "aeiou" else "a"


def _is_a(type_name: str) -> str:
    """'a string', 'an array', 'null'."""
    return f"{_article(type_name)} {type_name}".strip()


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity, but they are not JSON and DuckDB's json type rejects them, which
    # would fail the landing transaction with a much less helpful message.
    raise _NonStandardConstant(name)


class _NonStandardConstant(ValueError):
    pass


class _OutOfRange(ValueError):
    pass


def _finite_float(text: str) -> float:
    # 1e400 parses to inf in Python, which no JSON encoder (nor DuckDB's json) can write back verbatim.
    value = float(text)
    if not math.isfinite(value):
        raise _OutOfRange(text)
    return value


def parse_json(body: bytes, label: str, content_type: str | None = None) -> Any:
    """Bytes -> JSON value, with one-line errors that say where the document is broken."""
    stripped = body.lstrip()
    if (content_type and "html" in content_type.lower()) or stripped[:1] == b"<":
        raise IngestError(f"{label}: got an HTML page, not JSON (an error or login page?)")
    if not stripped:
        raise IngestError(f"{label}: empty file, not JSON")
    bom = 3 if body.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{label}: not UTF-8 text (invalid byte at offset {exc.start})") from exc
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        byte_pos = bom + len(text[: exc.pos].encode("utf-8"))
        # A string still open at the end of input is reported at its start, not at the end.
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        hint = "; the file ends early, so it looks truncated" if truncated else ""
        raise IngestError(
            f"{label}: invalid JSON at line {exc.lineno} column {exc.colno} (byte {byte_pos}): {exc.msg}{hint}"
        ) from exc
    except _OutOfRange as exc:
        raise IngestError(f"{label}: invalid JSON: number {exc.args[0][:40]} is out of range for a double") from exc
    except _NonStandardConstant as exc:
        raise IngestError(f"{label}: invalid JSON: non-standard constant {exc.args[0]} (JSON has no NaN/Infinity)") from exc
    except RecursionError as exc:
        raise IngestError(f"{label}: JSON nested too deeply to be a benchmark file") from exc


def _number(point: dict, key: str, reasons: list[str], notes: list[str]) -> float | None:
    """The field as a number, or None with a reason. A numeric string is accepted with a note."""
    value = point[key]
    kind = _json_type(value)
    if kind == "number":
        number = float(value)
    elif kind == "string" and _NUMERIC_TEXT.fullmatch(value):
        number = float(value)
        notes.append(f"coerced: {key} from string {value!r}")
    else:
        shown = f" {value!r}" if kind == "string" else ""
        reasons.append(f"field '{key}' is {_is_a(kind)}{shown}, expected a number")
        return None
    if not math.isfinite(number):
        reasons.append(f"field '{key}' is not finite")
        return None
    return number


def _record_problems(point: Any) -> tuple[list[str], list[str], tuple | None]:
    """(reasons, notes, run key or None) of one point, every reason found, not just the first."""
    if not isinstance(point, dict):
        kind = _json_type(point)
        return [f"is {_is_a(kind)}, expected an object"], [], None
    reasons: list[str] = []
    notes: list[str] = []
    values: dict[str, Any] = {}
    for key in KEY_FIELDS:
        if key not in point:
            reasons.append(f"missing key field '{key}'")
            continue
        if key in NUMBER_FIELDS:
            number = _number(point, key, reasons, notes)
            if number is None:
                continue
            if key in INTEGER_FIELDS and number != int(number):
                reasons.append(f"field '{key}' is {number:g}, expected a whole number")
            elif key in INTEGER_FIELDS and number > _MAX_INT:
                reasons.append(f"field '{key}' is {number:g}, too large for an integer column")
            elif number <= 0:
                what = "throughput" if key == "y" else key
                reasons.append(f"field '{key}' is {number:g}, expected a positive {what}")
            else:
                values[key] = int(number) if key in INTEGER_FIELDS else number
        else:
            value = point[key]
            kind = _json_type(value)
            if kind != "string":
                reasons.append(f"field '{key}' is {_is_a(kind)}, expected a string")
            elif not value.strip():
                reasons.append(f"field '{key}' is empty")
            elif key == "precision" and value.lower() not in KNOWN_PRECISIONS:
                reasons.append(f"unknown precision {value!r} (known: {', '.join(sorted(KNOWN_PRECISIONS))})")
            else:
                values[key] = value
    date = point.get("date")
    if date is not None and not (isinstance(date, str) and _is_date(date[:10])):
        reasons.append(f"field 'date' is {date!r}, expected a date such as 2025-10-23")
    key = None
    if not reasons:
        hw = hardware_key_aliases().get(values["hwKey"], values["hwKey"])
        key = (hw, values["precision"], values["tp"], values["conc"], date[:10] if date else None)
    return reasons, notes, key


def _is_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def hardware_key_aliases() -> dict[str, str]:
    """old hwKey -> hwKey, from the dbt seed the staging model maps keys with: two raw spellings of one key
    in a file are the same run, and dbt's uniqueness tests see them after mapping."""
    global _ALIASES
    if _ALIASES is None:
        seed = paths.PROJECT_DIR / "seeds" / "hardware_key_aliases.csv"
        try:
            with open(seed, newline="", encoding="utf-8") as fh:
                _ALIASES = {row["old_hw_key"]: row["hw_key"] for row in csv.DictReader(fh)}
        except (OSError, KeyError):
            _ALIASES = {}
    return _ALIASES


_ALIASES: dict[str, str] | None = None


def check_records(points: list[Any]) -> list[RecordCheck]:
    """Every point's verdict. Of several distinct points with the same run key (hwKey after aliasing,
    precision, tp, conc, date), the first is kept and the others are quarantined: the dashboard shows one
    point per run, and the joins and rollups downstream need the key unique. Identical copies of a point
    are not duplicates (staging collapses them)."""
    checks: list[RecordCheck] = []
    first_of: dict[tuple, int] = {}
    for i, point in enumerate(points):
        reasons, notes, key = _record_problems(point)
        if key is not None:
            first = first_of.setdefault(key, i)
            # canonical text, not ==: 1 and 1.0 are equal in Python but different records to staging
            if first != i and _canonical(points[first]) != _canonical(point):
                reasons.append(f"duplicate run key (hwKey, precision, tp, conc, date) of record {first}")
        checks.append(RecordCheck(tuple(reasons), tuple(notes)))
    return checks


def _canonical(point: Any) -> str:
    return json.dumps(point, sort_keys=True, separators=(",", ":"))


def extract_points(doc: Any, label: str, *, allow_wrapped: bool) -> tuple[list[Any], dict[str, Any] | None]:
    """The points array, from a bare array or (directories only) the legacy wrapped form."""
    if isinstance(doc, list):
        return doc, None
    if isinstance(doc, dict) and allow_wrapped and "data" in doc:
        data, metadata = doc["data"], doc.get("metadata")
        if not isinstance(data, list):
            raise IngestError(f"{label}: legacy wrapped file: 'data' is {_article(_json_type(data))} {_json_type(data)}, expected an array of points")
        if metadata is not None and not isinstance(metadata, dict):
            raise IngestError(f"{label}: legacy wrapped file: 'metadata' is {_article(_json_type(metadata))} {_json_type(metadata)}, expected an object")
        return data, metadata
    kind = _json_type(doc)
    wrapped = " (the legacy {\"metadata\", \"data\"} form is only accepted from --from DIR)" if isinstance(doc, dict) and "data" in doc else ""
    raise IngestError(f"{label}: expected a JSON array of points, got {_article(kind)} {kind}{wrapped}")


def _check_metadata(name: FileName, metadata: dict[str, Any], label: str) -> None:
    """A legacy file's metadata must agree with its file name: a mislabelled file would land its points
    under the wrong model or type, which no later check could detect."""
    data_type = metadata.get("data_type")
    if data_type is not None and data_type != name.data_type:
        raise IngestError(f"{label}: metadata data_type {data_type!r} contradicts the file name ({name.data_type!r})")
    source_url = metadata.get("source_url")
    if isinstance(source_url, str) and source_url:
        served = urlparse(source_url).path.rsplit("/", 1)[-1]
        if SERVED_NAME.match(served) and served != name.canonical:
            raise IngestError(f"{label}: metadata source_url names {served}, but the file name says {name.canonical}")


def validate_file(raw: RawFile, *, strict: bool = False) -> ValidatedFile:
    """Parse and check one file. File-level problems raise IngestError; record-level ones are recorded in
    `checks` (strict: the first one raises, naming the file, record index and field, and how many more)."""
    name = parse_file_name(raw.file_name, raw.url)
    doc = parse_json(raw.body, raw.url, raw.content_type)
    points, metadata = extract_points(doc, raw.url, allow_wrapped=raw.allow_wrapped)
    if metadata:
        _check_metadata(name, metadata, raw.url)
    validated = ValidatedFile(name=name, url=raw.url, body=raw.body, points=points, metadata=metadata)
    if strict and validated.records_quarantined:
        lines = validated.quarantine_lines()
        more = f" (and {len(lines) - 1} more bad records in this file)" if len(lines) > 1 else ""
        raise IngestError(f"{raw.url}: {lines[0]}{more}; --strict refuses the snapshot")
    return validated


def validate_snapshot(raws: list[RawFile], *, strict: bool = False) -> list[ValidatedFile]:
    """Validate every file, in canonical-name order, and refuse two files that would share one name
    (e.g. a served and a legacy copy of the same file in one directory)."""
    files = [validate_file(raw, strict=strict) for raw in sorted(raws, key=lambda r: r.url)]
    seen: dict[str, ValidatedFile] = {}
    for f in files:
        other = seen.get(f.canonical_name)
        if other is not None:
            raise IngestError(f"{f.url}: maps to {f.canonical_name}, the same file as {other.url}")
        seen[f.canonical_name] = f
    return sorted(files, key=lambda f: f.canonical_name)
