"""Structural validation of InferenceMAX files: file names, JSON shape and the key fields every point needs.

Only what would make a point unusable or unjoinable is checked here (a missing hwKey, a string where a number
belongs). Semantic checks such as negative throughput are left to dbt, which quarantines bad points instead
of rejecting a whole snapshot. Unknown fields are always kept: the site adds fields over time.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from ingest.errors import IngestError

SERVED_NAME = re.compile(r"^(?P<model>.+)-(?P<seq>\d+k_\d+k)-(?P<type>interactivity|e2e)\.json$")
# The old pipeline's archive used underscores between the parts.
LEGACY_NAME = re.compile(r"^(?P<model>.+)_(?P<seq>\d+k_\d+k)_(?P<type>interactivity|e2e)\.json$")

NUMBER_FIELDS = ("x", "y", "tp", "conc")
STRING_FIELDS = ("hwKey", "precision")
KEY_FIELDS = ("x", "y", "hwKey", "precision", "tp", "conc")
_MAX_PROBLEMS_COUNTED = 1000


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


@dataclass
class ValidatedFile:
    name: FileName
    url: str
    body: bytes
    points: list[dict[str, Any]]
    metadata: dict[str, Any] | None = None
    sha256: str = field(init=False)
    hw_keys: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.body).hexdigest()
        self.hw_keys = sorted({p["hwKey"] for p in self.points})

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
    return "an" if type_name[0] in "aeiou" else "a"


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity, but they are not JSON and DuckDB's json type rejects them, which
    # would fail the landing transaction with a much less helpful message.
    raise _NonStandardConstant(name)


class _NonStandardConstant(ValueError):
    pass


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
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        byte_pos = bom + len(text[: exc.pos].encode("utf-8"))
        # A string still open at the end of input is reported at its start, not at the end.
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        hint = "; the file ends early, so it looks truncated" if truncated else ""
        raise IngestError(
            f"{label}: invalid JSON at line {exc.lineno} column {exc.colno} (byte {byte_pos}): {exc.msg}{hint}"
        ) from exc
    except _NonStandardConstant as exc:
        raise IngestError(f"{label}: invalid JSON: non-standard constant {exc.args[0]} (JSON has no NaN/Infinity)") from exc
    except RecursionError as exc:
        raise IngestError(f"{label}: JSON nested too deeply to be a benchmark file") from exc


def _point_problems(points: list[Any]) -> list[str]:
    problems: list[str] = []
    for i, point in enumerate(points):
        if len(problems) >= _MAX_PROBLEMS_COUNTED:
            break
        if not isinstance(point, dict):
            kind = _json_type(point)
            problems.append(f"record {i}: is {_article(kind)} {kind}, expected an object")
            continue
        for key in KEY_FIELDS:
            if key not in point:
                problems.append(f"record {i}: missing key field '{key}'")
                continue
            value = point[key]
            wanted = "number" if key in NUMBER_FIELDS else "string"
            kind = _json_type(value)
            if kind != wanted:
                problems.append(f"record {i}: field '{key}' is {_article(kind)} {kind}, expected {_article(wanted)} {wanted}")
    return problems


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


def validate_file(raw: RawFile) -> ValidatedFile:
    """Parse and check one file; raises IngestError naming the file, record index and field."""
    name = parse_file_name(raw.file_name, raw.url)
    doc = parse_json(raw.body, raw.url, raw.content_type)
    points, metadata = extract_points(doc, raw.url, allow_wrapped=raw.allow_wrapped)
    if metadata:
        _check_metadata(name, metadata, raw.url)
    problems = _point_problems(points)
    if problems:
        more = f" (and {len(problems) - 1}{'+' if len(problems) >= _MAX_PROBLEMS_COUNTED else ''} more problems in this file)" if len(problems) > 1 else ""
        raise IngestError(f"{raw.url}: {problems[0]}{more}")
    return ValidatedFile(name=name, url=raw.url, body=raw.body, points=points, metadata=metadata)


def validate_snapshot(raws: list[RawFile]) -> list[ValidatedFile]:
    """Validate every file, in canonical-name order, and refuse two files that would share one name
    (e.g. a served and a legacy copy of the same file in one directory)."""
    files = [validate_file(raw) for raw in sorted(raws, key=lambda r: r.url)]
    seen: dict[str, ValidatedFile] = {}
    for f in files:
        other = seen.get(f.canonical_name)
        if other is not None:
            raise IngestError(f"{f.url}: maps to {f.canonical_name}, the same file as {other.url}")
        seen[f.canonical_name] = f
    return sorted(files, key=lambda f: f.canonical_name)
