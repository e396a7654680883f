"""Read evaluation log files into records, each tagged with where it came from.

Three layouts are recognised by content, not by file extension (runners were not consistent about naming):
  * JSONL: one test record per line; locator `line N` (1-based, blank lines skipped);
  * a JSON array of test records; locator `[i]` (0-based);
  * the old nested `master_database.json` (an object with a `models` key); every leaf
    models/<m>/by_prompt_type/<p>/by_tool_success_rate/<r>/by_difficulty/<d>/by_task_type/<t> becomes one
    `legacy_cell` record (an aggregate of `total` tests) whose locator is that path.
A record with problems is kept verbatim with every reason (it lands quarantined); a JSONL line that is not
JSON is kept as its text (record_kind `unparsed`). A file that cannot be read at all yields a Rejection
instead; reading never raises for bad content.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ingest import record_batch
from ingest.eval_validate import parse_rate, validate_legacy_cell, validate_test_record
from ingest.record_batch import Rejection
from ingest.record_batch import dumps as _dumps
from ingest.record_batch import loads_strict as _loads

# extensions picked up when a directory is given; explicit file arguments are read whatever their name
LOG_SUFFIXES = (".jsonl", ".ndjson", ".json")

# the levels of the legacy hierarchy under models/<m>, in order, with the dimension each names
LEGACY_LEVELS = (
    ("by_prompt_type", "prompt_type"),
    ("by_tool_success_rate", "tool_success_rate"),
    ("by_difficulty", "difficulty"),
    ("by_task_type", "task_type"),
)


@dataclass(frozen=True)
class ParsedRecord:
    source_file: Path
    source_format: str        # jsonl | json_array | master_database
    source_locator: str       # `line 12`, `[3]`, or the models/... path
    record_kind: str          # test | legacy_cell | unparsed
    record_text: str          # the record as JSON text (the JSONL line itself when there is one)
    record: Any               # the parsed record (the line's text for `unparsed`)
    context: dict | None      # legacy cells: the dimensions taken from the path, plus file metadata
    reasons: tuple[str, ...] = ()  # why it is quarantined; empty for a usable record
    notes: tuple[str, ...] = ()    # what was accepted as is


def discover(paths: list[Path]) -> tuple[list[Path], list[Rejection]]:
    """Expand directories (recursively, sorted, LOG_SUFFIXES only) and check the arguments exist."""
    return record_batch.discover(paths, LOG_SUFFIXES)


def read_file(path: Path) -> tuple[list[ParsedRecord], list[Rejection]]:
    """Parse one file into records and per-record rejections."""
    read = record_batch.read_utf8(path)
    if isinstance(read, Rejection):
        return [], [read]
    text, data = read

    stripped = text.lstrip()
    if not stripped:
        return [], []  # a shard that has not written anything yet
    if stripped[0] == "[":
        return _read_array(path, text)
    if stripped[0] == "{":
        try:
            whole = _loads(text)
        except ValueError:
            whole = None  # several objects: JSONL, which reports bad lines itself
        if isinstance(whole, dict) and "models" in whole:
            return _read_master_database(path, whole, hashlib.sha256(data).hexdigest())
        if isinstance(whole, dict) and len(stripped.rstrip().splitlines()) > 1:
            # one pretty-printed object: not JSONL, and without `models` not a master database either
            return [], [Rejection(path, "", "a single JSON object that is not a master_database.json (no 'models' key); "
                                            "expected JSONL, a JSON array or a master_database.json")]
    return _read_jsonl(path, text)


def _test(path: Path, fmt: str, locator: str, text: str, record: Any) -> ParsedRecord:
    findings = validate_test_record(record)
    return ParsedRecord(path, fmt, locator, "test", text, record, None, tuple(findings.reasons), tuple(findings.notes))


def _read_jsonl(path: Path, text: str) -> tuple[list[ParsedRecord], list[Rejection]]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        locator = f"line {number}"
        try:
            record = _loads(line)
        except ValueError as exc:
            # a half-written last line (a shard killed mid-write) must not cost the shard's other tests
            records.append(ParsedRecord(path, "jsonl", locator, "unparsed", _dumps(line), line, None,
                                        (f"invalid JSON: {exc}",)))
            continue
        records.append(_test(path, "jsonl", locator, line, record))
    return records, []


def _read_array(path: Path, text: str) -> tuple[list[ParsedRecord], list[Rejection]]:
    try:
        items = _loads(text)
    except ValueError as exc:
        # JSONDecodeError carries the position; a bad constant does not
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        return [], [Rejection(path, where, f"invalid JSON: {exc}")]
    if not isinstance(items, list):
        return [], [Rejection(path, "", "expected a JSON array of test records")]
    return [_test(path, "json_array", f"[{i}]", _dumps(item), item) for i, item in enumerate(items)], []


def _walk_legacy(node: Any, path: list[str], depth: int, dims: dict) -> Iterator[tuple[list[str], dict, Any, str | None]]:
    """Yield (path, dimensions, node, problem) for each leaf under a model (problem None), or for a
    malformed level (the node found there and why it is not a level)."""
    if depth == len(LEGACY_LEVELS):
        yield path, dims, node, None
        return
    level, dimension = LEGACY_LEVELS[depth]
    if not isinstance(node, dict):
        yield path, dims, node, "expected an object"
        return
    children = node.get(level)
    if children is None:
        return  # a level with no tests yet (the old writer created empty branches)
    if not isinstance(children, dict):
        yield path + [level], dims, children, f"'{level}' must be an object keyed by {dimension}"
        return
    for key, child in children.items():
        if not key.strip():
            yield path + [level, key], dims, child, f"empty {dimension} key"
            continue
        yield from _walk_legacy(child, path + [level, key], depth + 1, {**dims, dimension: key})


def _read_master_database(path: Path, db: dict, file_sha256: str) -> tuple[list[ParsedRecord], list[Rejection]]:
    models = db["models"]
    if not isinstance(models, dict):
        return [], [Rejection(path, "models", "'models' must be an object keyed by model name")]
    # snapshot metadata travels with every cell: later snapshots of the same cell supersede earlier ones.
    # The file hash names the snapshot, so an unchanged cell in a newer snapshot is still landed as part of
    # that snapshot (dbt picks one whole snapshot per cell), while re-ingesting the same file lands nothing.
    file_meta = {
        "database_sha256": file_sha256,
        "database_version": db.get("version"),
        "database_last_updated": db.get("last_updated"),
    }
    records = []
    for model, model_data in models.items():
        walked = (_walk_legacy(model_data, ["models", model], 0, {"model": model}) if model.strip()
                  else [(["models", model], {"model": model}, model_data, "empty model name")])
        for cell_path, dims, leaf, problem in walked:
            reasons, notes = [problem] if problem else [], []
            if problem is None:
                rate = dims["tool_success_rate"]
                if parse_rate(rate) is None:
                    reasons.append(f"tool success rate key {rate!r} is not a number in [0, 1]")
                findings = validate_legacy_cell(leaf)
                reasons += findings.reasons
                notes += findings.notes
            context = {**dims, **file_meta}
            records.append(ParsedRecord(path, "master_database", "/".join(cell_path), "legacy_cell", _dumps(leaf),
                                        leaf, context, tuple(reasons), tuple(notes)))
    return records, []
