"""Read benchmark-result files into records, each tagged with where it came from.

The layout of each file is recognised by content, not by name (vLLM names results after the run, and
InferenceMAX writes `agg_bmk.json` / `agg_<result>.json`):
  * one JSON object: a saved vLLM result or a single InferenceMAX aggregate; locator `$`;
  * a JSON array: InferenceMAX's collected `agg_bmk.json`, one aggregate per element; locator `[i]`
    (0-based); an empty array is a valid file with no runs (a sweep in which nothing ran);
  * several JSON objects, one per line: vLLM's `--append-result` file; locator `line N` (1-based).
Every record is classified and checked separately (ingest.vllm_validate); a record with problems is
kept, verbatim, with every reason (it lands quarantined). A line of an --append-result file that is not
JSON is kept as its text (record_kind `unparsed`), an element that is neither kind as `unknown`. A file
that cannot be read or parsed at all yields a Rejection; reading never raises for bad content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.record_batch import Rejection, dumps, json_type_name, loads_strict, read_utf8
from ingest.vllm_validate import VALIDATORS, classify

# extensions picked up when a directory is given; explicit file arguments are read whatever their name
RESULT_SUFFIXES = (".json", ".jsonl")


@dataclass(frozen=True)
class ResultRecord:
    source_file: Path
    source_format: str   # json_object | json_array | jsonl
    source_locator: str  # `$`, `[3]` or `line 2`
    record_kind: str     # vllm_bench | inferencemax_agg | unknown | unparsed
    record_text: str     # the record as JSON text (the file itself for a single object)
    record: Any          # the parsed record (the line's text for `unparsed`)
    reasons: tuple[str, ...] = ()  # why it is quarantined; empty for a usable record
    notes: tuple[str, ...] = ()    # what was accepted as is (a numeric string, ...)


def _record(path: Path, fmt: str, locator: str, text: str, value: Any) -> ResultRecord:
    kind = classify(value)
    if kind is None:
        got = "an object" if isinstance(value, dict) else json_type_name(value)
        return ResultRecord(path, fmt, locator, "unknown", text, value, (
            f"{got} that is neither a vLLM bench result (no 'completed' / 'model_id') "
            "nor an InferenceMAX aggregate (no 'hw' / 'tput_per_gpu')",))
    findings = VALIDATORS[kind](value)
    return ResultRecord(path, fmt, locator, kind, text, value, tuple(findings.reasons), tuple(findings.notes))


def _invalid_json(path: Path, exc: ValueError) -> Rejection:
    # JSONDecodeError carries the position; a rejected NaN/Infinity constant does not
    where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
    return Rejection(path, where, f"invalid JSON: {exc}")


def read_file(path: Path) -> tuple[list[ResultRecord], list[Rejection]]:
    """Parse one file into records and per-record rejections."""
    read = read_utf8(path)
    if isinstance(read, Rejection):
        return [], [read]
    text, _ = read
    stripped = text.strip()
    if not stripped:
        # unlike an evaluation shard, a result file is written once at the end of a run: empty means broken
        return [], [Rejection(path, "", "empty file: expected a vLLM result object or an InferenceMAX aggregate array")]
    try:
        whole = loads_strict(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and stripped.startswith("{"):
            return _read_jsonl(path, text)
        return [], [_invalid_json(path, exc)]
    except ValueError as exc:
        return [], [_invalid_json(path, exc)]
    if isinstance(whole, list):
        return [_record(path, "json_array", f"[{i}]", dumps(item), item) for i, item in enumerate(whole)], []
    if isinstance(whole, dict):
        return [_record(path, "json_object", "$", text, whole)], []
    return [], [Rejection(path, "", f"expected a JSON object or array, got {json_type_name(whole)}")]


def _read_jsonl(path: Path, text: str) -> tuple[list[ResultRecord], list[Rejection]]:
    records: list[ResultRecord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            value = loads_strict(line)
        except ValueError as exc:
            # a half-written last line (a run killed while appending) must not cost the other runs
            records.append(ResultRecord(path, "jsonl", f"line {number}", "unparsed", dumps(line), line,
                                        (f"invalid JSON: {exc}",)))
            continue
        records.append(_record(path, "jsonl", f"line {number}", line, value))
    return records, []
