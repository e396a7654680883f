"""Land tool-use evaluation logs in raw.eval_events: read, validate, then one DuckDB transaction per batch.

Policy for bad input (documented in docs/eval_events.md):
  * strict (default): any rejected file or record fails the whole batch; nothing is landed and every
    rejection is reported as `<file> <line N | [i] | models/...>: <reason>`;
  * skip_bad: valid records land, rejections are recorded in raw.eval_event_rejects.
Records are content-addressed (record_sha256), so re-ingesting a file lands nothing new. Two shards writing
the same *test* with different bytes are both landed here and counted once by dbt (event identity).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.errors import IngestError
from ingest.eval_readers import ParsedRecord, Rejection, discover, read_file
from ingest.raw_schema import ensure_raw_schema


class EvalIngestError(IngestError):
    """Nothing was landed. The message is one line; `rejections` holds every per-record problem."""

    def __init__(self, message: str, rejections: list[Rejection] | None = None, records_read: int = 0):
        super().__init__(message)
        self.rejections = rejections or []
        self.records_read = records_read


@dataclass
class BatchSummary:
    batch_id: str
    mode: str
    files: int
    records_read: int
    records_landed: int
    records_already_landed: int
    rejections: list[Rejection] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)  # landed records per record_kind


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables if missing (idempotent); dbt's sources need them even before any ingest."""
    ensure_raw_schema(con)


def record_sha256(record: dict, context: dict | None) -> str:
    # legacy cells hash with their position: two cells with equal counters are still different cells
    payload = record if context is None else {"context": context, "record": record}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(warehouse))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise EvalIngestError(
                f"warehouse {warehouse} is locked by another process (is `dbt build` running?); "
                "retry when it has finished") from None
        raise EvalIngestError(f"cannot open warehouse {warehouse}: {str(exc).splitlines()[0]}") from None


def read_all(paths: list[Path]) -> tuple[int, list[ParsedRecord], list[Rejection]]:
    files, rejections = discover(paths)
    records: list[ParsedRecord] = []
    for path in files:
        got, bad = read_file(path)
        records.extend(got)
        rejections.extend(bad)
    return len(files), records, rejections


def _to_arrow(records: list[ParsedRecord], batch_id: str, loaded_at: datetime) -> pa.Table:
    """One row per distinct content within the batch (first occurrence kept), as an Arrow table."""
    seen: dict[str, ParsedRecord] = {}
    for rec in records:
        seen.setdefault(record_sha256(rec.record, rec.context), rec)
    rows = list(seen.items())
    return pa.table({
        "batch_id": pa.array([batch_id] * len(rows), pa.string()),
        "source_file": pa.array([str(r.source_file) for _, r in rows], pa.string()),
        "source_format": pa.array([r.source_format for _, r in rows], pa.string()),
        "source_locator": pa.array([r.source_locator for _, r in rows], pa.string()),
        "record_kind": pa.array([r.record_kind for _, r in rows], pa.string()),
        "record_sha256": pa.array([sha for sha, _ in rows], pa.string()),
        "record": pa.array([r.record_text for _, r in rows], pa.string()),
        "record_context": pa.array([None if r.context is None else json.dumps(r.context, ensure_ascii=False) for _, r in rows], pa.string()),
        "loaded_at": pa.array([loaded_at] * len(rows), pa.timestamp("us")),
    })


def ingest_eval_events(paths: list[Path], warehouse: Path, skip_bad: bool = False) -> BatchSummary:
    """Read every file under `paths` and land the batch atomically. Raises EvalIngestError (nothing landed)."""
    if not paths:
        raise EvalIngestError("no input paths given")
    file_count, records, rejections = read_all(paths)
    if rejections and not skip_bad:
        first = rejections[0]
        more = f" (and {len(rejections) - 1} more rejection(s))" if len(rejections) > 1 else ""
        raise EvalIngestError(f"{first}{more}; nothing was landed", rejections, len(records))
    if not records and not rejections:
        raise EvalIngestError(f"no evaluation records found in {', '.join(map(str, paths))}")

    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)  # stored as naive UTC, like the other raw tables
    batch_id = f"evb-{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    incoming = _to_arrow(records, batch_id, loaded_at)
    mode = "skip_bad" if skip_bad else "strict"

    con = connect(warehouse)
    try:
        ensure_schema(con)
        con.execute("begin transaction")
        try:
            con.register("incoming_eval_events", incoming)
            con.execute("""
                insert into raw.eval_events by name
                select i.* from incoming_eval_events i
                where not exists (select 1 from raw.eval_events e where e.record_sha256 = i.record_sha256)
            """)
            landed_by_kind = dict(con.execute(
                "select record_kind, count(*) from raw.eval_events where batch_id = ? group by all", [batch_id]).fetchall())
            landed = sum(landed_by_kind.values())
            if rejections:
                con.executemany(
                    "insert into raw.eval_event_rejects values (?, ?, ?, ?, ?)",
                    [(batch_id, str(r.source_file), r.source_locator, r.reason, loaded_at) for r in rejections])
            con.execute(
                "insert into raw.eval_event_batches values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [batch_id, loaded_at, mode, [str(p) for p in paths], file_count, len(records), landed,
                 len(records) - landed, len(rejections)])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.unregister("incoming_eval_events")
    except duckdb.Error as exc:
        raise EvalIngestError(f"landing in {warehouse} failed, nothing was landed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return BatchSummary(batch_id, mode, file_count, len(records), landed, len(records) - landed, rejections, landed_by_kind)
