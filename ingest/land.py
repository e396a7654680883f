"""Land a validated snapshot in the DuckDB warehouse's raw tables, in one transaction.

Either every row of the snapshot (snapshot, files, points, fetch) becomes visible at once, or none does.
Content already landed adds only a fetch row, so re-ingesting can never double-count points.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.archive import utc
from ingest.errors import IngestError
from ingest.raw_schema import ensure_raw_schema
from ingest.validate import ValidatedFile
from semibench_core.faults import fault_point

RAW_TABLES = ("raw.inferencemax_points", "raw.inferencemax_files", "raw.inferencemax_fetches",
              "raw.inferencemax_snapshots")
# Same output as json.dumps(point, sort_keys=True, separators=(",", ":")), the definition of record_sha256,
# but one encoder reused instead of one built per point, and no cycle check (parsed JSON cannot contain
# cycles): together ~40% faster, and canonical encoding is the slowest part of landing.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), check_circular=False)
_BATCH_VIEW = "_inferencemax_points_batch"


@dataclass(frozen=True)
class SnapshotToLand:
    snapshot_id: str
    source: str
    first_fetched_at: datetime  # when this content was first fetched (the archive manifest's time)
    fetched_at: datetime        # this fetch
    archive_path: str
    manifest: str               # manifest JSON text
    files: list[ValidatedFile]
    is_partial: bool = False    # configured files missing or empty, landed anyway (--allow-partial)


@dataclass(frozen=True)
class LandingResult:
    was_new: bool
    loaded_at: datetime
    expired: list[str]  # snapshots dropped by retention (their archive dirs are the caller's to remove)


def canonical_json(point: dict) -> str:
    return _CANONICAL.encode(point)


def _naive_utc(dt: datetime) -> datetime:
    # Columns are TIMESTAMP (no zone) holding UTC. An aware datetime would be bound as TIMESTAMPTZ and
    # converted through the session time zone, so strip the zone after normalising.
    return utc(dt).replace(tzinfo=None)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse and make sure the raw tables exist."""
    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(warehouse))
    except duckdb.IOException as exc:
        text = _one_line(exc)
        if "lock" in text.lower():
            holder = text[text.find("Conflicting lock"):] if "Conflicting lock" in text else ""
            raise IngestError(
                f"{warehouse}: warehouse is locked by another process (is `dbt build` running?); "
                f"nothing was landed, try again when it finishes{': ' + holder if holder else ''}"
            ) from exc
        raise IngestError(f"{warehouse}: cannot open warehouse: {text}") from exc
    except duckdb.Error as exc:
        raise IngestError(f"{warehouse}: cannot open warehouse: {_one_line(exc)}") from exc
    try:
        ensure_raw_schema(con)
    except duckdb.Error as exc:
        con.close()
        raise IngestError(f"{warehouse}: cannot create the raw tables: {_one_line(exc)}") from exc
    return con


def points_table(files: list[ValidatedFile]) -> pa.Table:
    """Every point of the snapshot as one Arrow table, so DuckDB inserts them in a single bulk scan."""
    source_file: list[str] = []
    model: list[str] = []
    sequence: list[str] = []
    data_type: list[str] = []
    index: list[int] = []
    records: list[str] = []
    shas: list[str] = []
    reasons: list[str | None] = []
    notes: list[str | None] = []
    encode, sha256 = _CANONICAL.encode, hashlib.sha256
    for f in files:
        n = len(f.points)
        source_file += [f.canonical_name] * n
        model += [f.name.model_slug] * n
        sequence += [f.name.sequence_slug] * n
        data_type += [f.name.data_type] * n
        index += range(n)
        texts = [encode(p) for p in f.points]
        records += texts
        # Canonical text is pure ASCII (ensure_ascii), so ascii encoding is exact and fastest.
        shas += [sha256(t.encode("ascii")).hexdigest() for t in texts]
        reasons += ["; ".join(c.reasons) or None for c in f.checks]
        notes += ["; ".join(c.notes) or None for c in f.checks]
    return pa.table({
        "source_file": pa.array(source_file, pa.string()),
        "model_slug": pa.array(model, pa.string()),
        "sequence_slug": pa.array(sequence, pa.string()),
        "data_type": pa.array(data_type, pa.string()),
        "record_index": pa.array(index, pa.int32()),
        "record_sha256": pa.array(shas, pa.string()),
        "record": pa.array(records, pa.string()),
        "quarantine_reasons": pa.array(reasons, pa.string()),
        "notes": pa.array(notes, pa.string()),
    })


def choose_expired(times: dict[str, datetime], keep: int, current: str) -> list[str]:
    """Snapshots beyond the newest `keep` by latest fetch time. On a tie the snapshot just landed wins,
    then the id, so the choice is deterministic."""
    ranked = sorted(times, key=lambda sid: (times[sid], sid == current, sid), reverse=True)
    return sorted(ranked[keep:])


def _warehouse_fetch_times(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    rows = con.execute(
        """select s.snapshot_id, greatest(s.fetched_at, coalesce(max(f.fetched_at), s.fetched_at))
           from raw.inferencemax_snapshots s left join raw.inferencemax_fetches f using (snapshot_id)
           group by s.snapshot_id, s.fetched_at"""
    ).fetchall()
    return {sid: utc(ts) for sid, ts in rows}


def _insert_snapshot(con: duckdb.DuckDBPyConnection, snap: SnapshotToLand, loaded_at: datetime) -> None:
    first = _naive_utc(min(utc(snap.first_fetched_at), utc(snap.fetched_at)))
    loaded = _naive_utc(loaded_at)
    record_count = sum(len(f.points) for f in snap.files)
    con.execute(
        """insert into raw.inferencemax_snapshots (snapshot_id, source, fetched_at, loaded_at, file_count,
               record_count, archive_path, manifest, is_partial) values (?, ?, ?, ?, ?, ?, ?, ?::json, ?)""",
        [snap.snapshot_id, snap.source, first, loaded, len(snap.files), record_count, snap.archive_path,
         snap.manifest, snap.is_partial],
    )
    con.executemany(
        "insert into raw.inferencemax_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[snap.snapshot_id, f.canonical_name, f.url, f.name.model_slug, f.name.sequence_slug, f.name.data_type,
          f.sha256, len(f.points), f.hw_keys, first, loaded] for f in snap.files],
    )
    con.register(_BATCH_VIEW, points_table(snap.files))
    try:
        con.execute(
            f"""insert into raw.inferencemax_points (snapshot_id, source_file, model_slug, sequence_slug,
                       data_type, record_index, record_sha256, record, fetched_at, loaded_at, quarantine_reasons, notes)
                select ?, source_file, model_slug, sequence_slug, data_type, record_index, record_sha256,
                       record::json, ?, ?, quarantine_reasons, notes
                from {_BATCH_VIEW}""",
            [snap.snapshot_id, first, loaded],
        )
    finally:
        con.unregister(_BATCH_VIEW)


def land_snapshot(con: duckdb.DuckDBPyConnection, snap: SnapshotToLand, *, retention: int | None = None,
                  archive_times: dict[str, datetime] | None = None, label: str = "warehouse") -> LandingResult:
    """Insert the snapshot (if new) and a fetch row, then apply retention, all in one transaction.

    archive_times: latest fetch time per snapshot known to the archive, so retention also counts snapshots
    that exist only in the archive (e.g. after the warehouse was rebuilt from part of it).
    """
    loaded_at = datetime.now(timezone.utc)
    fetched = _naive_utc(snap.fetched_at)
    try:
        con.begin()
        try:
            exists = con.execute("select 1 from raw.inferencemax_snapshots where snapshot_id = ?",
                                 [snap.snapshot_id]).fetchone() is not None
            if not exists:
                _insert_snapshot(con, snap, loaded_at)
            # A replay of the same fetch (same snapshot and time, e.g. re-ingesting an archive snapshot)
            # is the same event: recording it twice would inflate fetch counts.
            con.execute(
                """insert into raw.inferencemax_fetches
                   select ?, ?, ?, ?, ? where not exists (
                       select 1 from raw.inferencemax_fetches where snapshot_id = ? and fetched_at = ?)""",
                [snap.snapshot_id, snap.source, fetched, _naive_utc(loaded_at), not exists, snap.snapshot_id, fetched],
            )
            expired: list[str] = []
            if retention is not None:
                times = _warehouse_fetch_times(con)
                for sid, when in (archive_times or {}).items():
                    times[sid] = max(times.get(sid, when), when)
                expired = choose_expired(times, retention, snap.snapshot_id)
                for table in RAW_TABLES:
                    con.execute(f"delete from {table} where snapshot_id in (select unnest(?::varchar[]))", [expired])
            fault_point("land")
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except duckdb.Error as exc:
        raise IngestError(f"{label}: landing snapshot {snap.snapshot_id} failed, nothing was landed: {_one_line(exc)}") from exc
    return LandingResult(was_new=not exists, loaded_at=loaded_at, expired=expired)
