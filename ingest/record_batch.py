"""What the record-batch ingesters (`eval-events`, `vllm-results`) share: strict JSON parsing, file discovery,
content hashing, and landing one batch of records atomically with its bookkeeping rows.

Policy (docs/eval_events.md, docs/vllm_results.md):
  * quarantine (default): a record with problems is landed verbatim with every reason
    (`quarantine_reasons`) and kept out of the marts by dbt; a file that cannot be read at all (not UTF-8,
    not JSON, not an object or array) fails the whole batch, nothing is landed, and the error names it;
  * strict: any problem, of a file or of a record, fails the whole batch (`<file> <locator>: <reason>`);
  * skip_bad: as quarantine, but unreadable files are recorded in the family's rejects table and the
    rest of the batch lands.
Records are content-addressed (record_sha256), so re-ingesting lands nothing new; every run that lands
(even a no-op) leaves one batch row with its counts.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ingest import archive, batch_archive
from ingest.warehouse_identity import landing_mark
from ingest.batch_archive import Replay
from ingest.errors import IngestError
from ingest.land import connect


@dataclass(frozen=True)
class Rejection:
    source_file: Path
    source_locator: str       # empty when the whole file is at fault
    reason: str

    def __str__(self) -> str:
        where = f"{self.source_file} {self.source_locator}" if self.source_locator else str(self.source_file)
        return f"{where}: {self.reason}"


class BatchIngestError(IngestError):
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
    quarantined: list[Rejection] = field(default_factory=list)  # records read with problems, every reason joined

    @property
    def records_quarantined(self) -> int:
        return len(self.quarantined)


@dataclass(frozen=True)
class BatchTables:
    """The three raw tables of one family. The records table has the columns of the rows given to
    land_batch plus batch_id and loaded_at; batches and rejects have the shared layout (see
    ingest/eval_events_schema.sql)."""
    records: str
    batches: str
    rejects: str
    batch_prefix: str  # batch ids are `<prefix>-<UTC time>-<random>`
    family: str        # archive directory (ingest.batch_archive)


QUARANTINE, STRICT, SKIP_BAD = "quarantine", "strict", "skip_bad"
POLICIES = (QUARANTINE, STRICT, SKIP_BAD)


def policy_of(strict: bool = False, skip_bad: bool = False, error: type[BatchIngestError] = BatchIngestError) -> str:
    if strict and skip_bad:
        raise error("--strict and --skip-bad contradict each other: choose one")
    return STRICT if strict else SKIP_BAD if skip_bad else QUARANTINE


def join_reasons(reasons) -> str | None:
    """The quarantine_reasons column: every reason, '; '-separated; None for a usable record."""
    return "; ".join(reasons) if reasons else None


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity; DuckDB's JSON type does not, and they are not JSON
    raise ValueError(f"non-standard JSON constant {name}")


def is_json_number(value: Any) -> bool:
    # bool is an int subclass in Python; `true` is not a measurement
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_JSON_TYPE_NAMES = {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "an array",
                    dict: "an object", type(None): "null"}


def json_type_name(value: Any) -> str:
    """`a string`, `a number`, `an array`, ...: the JSON type of a parsed value, for error messages."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def loads_strict(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def canonical_sha256(payload: Any) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no whitespace, UTF-8): equal content, equal hash,
    whatever the key order or formatting of the file it came from."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_utf8(path: Path) -> tuple[str, bytes] | Rejection:
    """The file's text and bytes, or a whole-file Rejection saying why it cannot be read."""
    try:
        data = path.read_bytes()
        return data.decode("utf-8"), data
    except UnicodeDecodeError as exc:
        return Rejection(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return Rejection(path, "", f"cannot read: {exc.strerror}")


def discover(paths: list[Path], suffixes: tuple[str, ...]) -> tuple[list[Path], list[Rejection]]:
    """Expand directories (recursively, sorted, `suffixes` only) and check the arguments exist. Explicit
    file arguments are read whatever their name."""
    files: list[Path] = []
    problems: list[Rejection] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Rejection(path, "", "no such file or directory"))
    # the same file named twice (or via a directory and directly) is read once
    return list(dict.fromkeys(p.resolve() for p in files)), problems


def quarantined_of(rows: list[dict[str, str | None]]) -> list[Rejection]:
    """The rows with problems (one per distinct record_sha256), as `<file> <locator>: <reasons>`."""
    seen: dict[str, Rejection] = {}
    for row in rows:
        if row.get("quarantine_reasons"):
            seen.setdefault(row["record_sha256"], Rejection(Path(row["source_file"]), row["source_locator"] or "",
                                                            row["quarantine_reasons"]))
    return list(seen.values())


def fail_by_policy(rejections: list[Rejection], quarantined: list[Rejection], records_read: int, policy: str,
                   error: type[BatchIngestError] = BatchIngestError) -> None:
    """Raise (nothing landed) when the policy does not let this batch land."""
    blocking = {STRICT: rejections + quarantined, QUARANTINE: rejections, SKIP_BAD: []}[policy]
    if blocking:
        first = blocking[0]
        more = f" (and {len(blocking) - 1} more problem(s))" if len(blocking) > 1 else ""
        raise error(f"{first}{more}; nothing was landed", blocking, records_read)


def _incoming_table(rows: list[dict[str, str | None]], batch_id: str, loaded_at: datetime) -> pa.Table:
    """One row per distinct record_sha256 within the batch (first occurrence kept), as an Arrow table."""
    seen: dict[str, dict] = {}
    for row in rows:
        seen.setdefault(row["record_sha256"], row)
    unique = list(seen.values())
    columns = list(rows[0]) if rows else ["record_sha256"]
    table = {c: pa.array([r[c] for r in unique], pa.string()) for c in columns}
    table["batch_id"] = pa.array([batch_id] * len(unique), pa.string())
    table["loaded_at"] = pa.array([loaded_at] * len(unique), pa.timestamp("us"))
    return pa.table(table)


def land_batch(tables: BatchTables, paths: list[Path], warehouse: Path, *, file_count: int,
               rows: list[dict[str, str | None]], rejections: list[Rejection], policy: str = QUARANTINE,
               error: type[BatchIngestError] = BatchIngestError, files: list[Path] | None = None,
               archive_root: Path | None = None, replay: Replay | None = None) -> BatchSummary:
    """Insert the rows whose record_sha256 is new, the rejects and one batch row, in one transaction.

    rows: one dict per valid record, keys = the records table's columns except batch_id and loaded_at;
    values are text (the record as JSON text; DuckDB casts it to JSON on insert), `quarantine_reasons`
    set for a record with problems. Raises `error` (nothing landed) when the policy refuses the batch
    (fail_by_policy), on a locked warehouse or any database failure.

    files: the input files read, archived (ingest.batch_archive) under archive_root (default: the
    configured archive) before the transaction commits; the batch is logged after it committed.
    replay: land a logged batch again (semibench rebuild): its id, time and original paths; nothing is
    archived or logged."""
    if policy not in POLICIES:
        raise error(f"unknown ingest policy {policy!r}, expected one of {', '.join(POLICIES)}")
    quarantined = quarantined_of(rows)
    fail_by_policy(rejections, quarantined, len(rows), policy, error)
    if replay is not None:
        loaded_at, batch_id = replay.loaded_at, replay.batch_id
        rows = [{**r, "source_file": replay.origin.get(r["source_file"], r["source_file"])} if "source_file" in r
                else r for r in rows]
        rejections = [Rejection(Path(replay.origin.get(str(r.source_file), str(r.source_file))), r.source_locator,
                                r.reason) for r in rejections]
        path_texts = list(replay.paths)
    else:
        loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)  # stored as naive UTC, like the other raw tables
        batch_id = f"{tables.batch_prefix}-{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        path_texts = [str(p) for p in paths]
        if archive_root is None:
            from semibench_core import paths as semibench_paths
            archive_root = semibench_paths.archive_dir()
    mode = policy
    incoming = _incoming_table(rows, batch_id, loaded_at)
    stored: list[batch_archive.StoredFile] = []
    try:
        con = connect(warehouse)
    except IngestError as exc:
        raise error(str(exc)) from None
    view = "_incoming_batch_records"
    try:
        con.execute("begin transaction")
        try:
            con.register(view, incoming)
            con.execute(f"""
                insert into {tables.records} by name
                select i.* from {view} i
                where not exists (select 1 from {tables.records} e where e.record_sha256 = i.record_sha256)
            """)
            by_kind = dict(con.execute(
                f"select record_kind, count(*) from {tables.records} where batch_id = ? group by all", [batch_id]).fetchall())
            landed = sum(by_kind.values())
            if rejections:
                con.executemany(
                    f"insert into {tables.rejects} values (?, ?, ?, ?, ?)",
                    [(batch_id, str(r.source_file), r.source_locator, r.reason, loaded_at) for r in rejections])
            con.execute(
                f"insert into {tables.batches} (batch_id, loaded_at, mode, inputs, file_count, records_read, "
                "records_landed, records_already_landed, records_rejected, records_quarantined) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [batch_id, loaded_at, mode, path_texts, file_count, len(rows), landed,
                 len(rows) - landed, len(rejections), len(quarantined)])
            if replay is None:
                # the archive holds the inputs before the warehouse does (a commit failing after this
                # leaves only unreferenced, immutable copies)
                stored = _archive_files(tables.family, files or [], archive_root, batch_id, loaded_at, error)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.unregister(view)
    except duckdb.Error as exc:
        raise error(f"landing in {warehouse} failed, nothing was landed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    if replay is None:
        try:
            batch_archive.append_ingest_log(archive_root, tables.family, {
                "batch_id": batch_id, "ingested_at": archive.format_time(loaded_at), "mode": mode,
                "paths": path_texts, "files": [f.entry() for f in stored],
                **landing_mark(warehouse)})  # rebuild replays only its own warehouse's batches
        except OSError as exc:
            raise error(f"batch {batch_id} was landed, but logging it in the archive at {archive_root} failed "
                        f"(a rebuild would miss it): {exc.strerror or exc}") from None
    if replay is not None:
        quarantined = [Rejection(Path(replay.origin.get(str(q.source_file), str(q.source_file))), q.source_locator,
                                 q.reason) for q in quarantined]
    return BatchSummary(batch_id, mode, file_count, len(rows), landed, len(rows) - landed, rejections, by_kind,
                        quarantined)


def _archive_files(family: str, files: list[Path], archive_root: Path, batch_id: str, loaded_at: datetime,
                   error: type[BatchIngestError]) -> list[batch_archive.StoredFile]:
    stored = []
    for path in files:
        try:
            stored.append(batch_archive.store_file(archive_root, family, path, batch_id=batch_id,
                                                   ingested_at=loaded_at))
        except OSError as exc:
            if not os.access(path, os.R_OK):
                continue  # unreadable input: already a whole-file rejection of a --skip-bad batch
            raise error(f"{batch_archive.family_root(archive_root, family)}: cannot archive {path}, nothing was "
                        f"landed: {exc.strerror or exc}") from None
    return stored
