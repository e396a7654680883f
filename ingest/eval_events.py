"""Land tool-use evaluation logs in raw.eval_events: read, validate, then one DuckDB transaction per batch.

Policy for bad input (documented in docs/eval_events.md; ingest.record_batch):
  * quarantine (default): a record with problems lands verbatim with every reason
    (raw.eval_events.quarantine_reasons) and dbt keeps it out of the marts; a file that cannot be read at
    all fails the batch and nothing is landed;
  * strict: any problem fails the whole batch, reported as `<file> <line N | [i] | models/...>: <reason>`;
  * skip_bad: as quarantine, and unreadable files are recorded in raw.eval_event_rejects instead.
Records are content-addressed (record_sha256), so re-ingesting a file lands nothing new. Two shards writing
the same *test* with different bytes are both landed here and counted once by dbt (event identity).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from ingest.eval_readers import LOG_SUFFIXES, ParsedRecord, Rejection, read_file
from ingest.raw_schema import ensure_raw_schema
from ingest.batch_archive import Replay
from ingest.record_batch import (BatchIngestError, BatchSummary, BatchTables, canonical_sha256, discover,
                                 join_reasons, land_batch, policy_of)

__all__ = ["BatchSummary", "EvalIngestError", "ensure_schema", "ingest_eval_events", "read_all", "record_sha256"]

TABLES = BatchTables(records="raw.eval_events", batches="raw.eval_event_batches",
                     rejects="raw.eval_event_rejects", batch_prefix="evb", family="eval_events")


class EvalIngestError(BatchIngestError):
    """Nothing was landed. The message is one line; `rejections` holds every per-record problem."""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables if missing (idempotent); dbt's sources need them even before any ingest."""
    ensure_raw_schema(con)


def record_sha256(record, context: dict | None) -> str:
    # legacy cells hash with their position: two cells with equal counters are still different cells
    return canonical_sha256(record if context is None else {"context": context, "record": record})


def read_all(paths: list[Path]) -> tuple[int, list[ParsedRecord], list[Rejection]]:
    files, records, rejections = _read(paths)
    return len(files), records, rejections


def _read(paths: list[Path]) -> tuple[list[Path], list[ParsedRecord], list[Rejection]]:
    files, rejections = discover(paths, LOG_SUFFIXES)
    records: list[ParsedRecord] = []
    for path in files:
        got, bad = read_file(path)
        records.extend(got)
        rejections.extend(bad)
    return files, records, rejections


def _row(rec: ParsedRecord) -> dict[str, str | None]:
    return {
        "source_file": str(rec.source_file),
        "source_format": rec.source_format,
        "source_locator": rec.source_locator,
        "record_kind": rec.record_kind,
        "record_sha256": record_sha256(rec.record, rec.context),
        "record": rec.record_text,
        "record_context": None if rec.context is None else json.dumps(rec.context, ensure_ascii=False),
        "quarantine_reasons": join_reasons(rec.reasons),
        "ingest_notes": join_reasons(rec.notes),
    }


def ingest_eval_events(paths: list[Path], warehouse: Path, skip_bad: bool = False, *, strict: bool = False,
                       archive_root: Path | None = None, replay: Replay | None = None) -> BatchSummary:
    """Read every file under `paths` and land the batch atomically, archiving its files under archive_root
    (default: the configured archive). Raises EvalIngestError (nothing landed) when the policy
    (ingest.record_batch.policy_of) refuses the batch."""
    if not paths:
        raise EvalIngestError("no input paths given")
    files, records, rejections = _read(paths)
    if not records and not rejections:
        raise EvalIngestError(f"no evaluation records found in {', '.join(map(str, paths))}")
    return land_batch(TABLES, paths, warehouse, file_count=len(files), rows=[_row(r) for r in records],
                      rejections=rejections, policy=policy_of(strict, skip_bad, EvalIngestError), error=EvalIngestError, files=files,
                      archive_root=archive_root, replay=replay)
