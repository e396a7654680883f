"""Is the warehouse usable? Detect a corrupt build warehouse, verify the archive, sweep crash leftovers.

DuckDB checks a block's checksum when it reads the block, so a damaged file shows up either when it is
opened (bad header) or when a damaged table is scanned. The check therefore opens the file and reads every
column of every row of every table: cheap next to a dbt build (the sample's 6 MB take ~40 ms), and a
damaged model table would trip up the next build anyway.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Written before a rebuild starts replaying the archive and removed when it finished: a warehouse with
# this marker beside it holds only part of the history and must not be built on.
REBUILD_MARKER_SUFFIX = ".rebuilding"


class WarehouseCorrupt(RuntimeError):
    """The build warehouse cannot be used; `semibench rebuild` recreates it from the archive."""


class WarehouseBusy(RuntimeError):
    """Another process (a stray dbt, a notebook) holds DuckDB's lock on the build warehouse."""


def rebuild_marker(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + REBUILD_MARKER_SUFFIX)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def check_warehouse(warehouse: Path) -> dict[str, int]:
    """Raw table -> rows (all tables are read), or WarehouseCorrupt with a one-line reason. A missing file is fine (first run)."""
    warehouse = Path(warehouse)
    hint = "run `semibench rebuild` to rebuild it from the archive"
    if rebuild_marker(warehouse).exists():
        raise WarehouseCorrupt(f"{warehouse}: an earlier `semibench rebuild` did not finish, the warehouse "
                               f"holds only part of the archive; {hint}")
    if not warehouse.exists():
        return {}
    try:
        con = duckdb.connect(str(warehouse))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"{warehouse}: locked by another process (a dbt build?): {_one_line(exc)}") from exc
        raise WarehouseCorrupt(f"{warehouse}: the build warehouse is corrupt ({_one_line(exc)}); {hint}") from exc
    except duckdb.Error as exc:
        raise WarehouseCorrupt(f"{warehouse}: the build warehouse is corrupt ({_one_line(exc)}); {hint}") from exc
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by all").fetchall()
        rows = {}
        for schema, table in tables:
            # hash(t) needs every column of every row, so every data block is read and checksummed: a
            # damaged model table is caught too (dbt would trip over it, and the file is damaged anyway)
            n = con.execute(f'select count(*), sum(hash(t)) from "{schema}"."{table}" as t').fetchone()[0]
            if schema == "raw":
                rows[table] = n
        return rows
    except duckdb.Error as exc:
        raise WarehouseCorrupt(f"{warehouse}: the build warehouse is corrupt ({_one_line(exc)}); {hint}") from exc
    finally:
        con.close()


def check_published(published: Path) -> str | None:
    """None if the published copy opens and answers, else a one-line problem."""
    if not published.exists():
        return f"{published}: nothing published yet"
    try:
        con = duckdb.connect(str(published), read_only=True)
        try:
            con.execute("select count(*) from information_schema.tables").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        return f"{published}: cannot be read ({_one_line(exc)}); `semibench publish` copies the build warehouse again"
    return None


@dataclass
class ArchiveReport:
    snapshots: int
    files: int
    problems: list[str]


def verify_archive(archive_root: Path) -> ArchiveReport:
    """Re-hash every archived file against its manifest (and the snapshot id against its files)."""
    from ingest import archive
    from ingest.errors import IngestError

    problems, files = [], 0
    ids = archive.list_snapshot_ids(archive_root)
    for sid in ids:
        try:
            manifest, raws = archive.read_snapshot_dir(archive.source_root(archive_root) / sid)
            files += len(raws)
        except IngestError as exc:
            problems.append(str(exc))
    return ArchiveReport(snapshots=len(ids), files=files, problems=problems)


_PUBLISH_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


def sweep_publish_temps(published: Path) -> list[Path]:
    """Remove temp copies left by a publish that was killed before os.replace (named
    `.<published name>.<pid>.tmp` by semibench.publish). Only those whose writer is gone: a live pid may be
    a publish in progress."""
    removed = []
    if not published.parent.is_dir():
        return removed
    for path in published.parent.iterdir():
        m = _PUBLISH_TMP.match(path.name)
        if not m or m["name"] != published.name:
            continue
        try:
            os.kill(int(m["pid"]), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


@dataclass
class BatchArchiveReport:
    files: int
    batches: int
    problems: list[str]


def verify_batch_archive(archive_root: Path) -> BatchArchiveReport:
    """Re-hash every archived file of the batch families against the sha256 that names its directory, and
    check that every file a logged batch names is there."""
    import hashlib

    from ingest import batch_archive
    from ingest.errors import IngestError

    problems, files, batches = [], 0, 0
    for family in batch_archive.FAMILIES:
        root = batch_archive.family_root(archive_root, family)
        if not root.is_dir():
            continue
        for content_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for path in (p for p in content_dir.iterdir() if p.name != "manifest.json"):
                files += 1
                h = hashlib.sha256()
                with path.open("rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                if h.hexdigest() != content_dir.name:
                    problems.append(f"{path}: sha256 does not match its archive directory (damaged or edited)")
        for event in batch_archive.read_ingest_log(archive_root, family):
            batches += 1
            entries = list(event.get("files") or [])
            for run in event.get("runs") or []:
                entries += [e for e in (run.get("trace"), run.get("summary")) if e]
            for entry in entries:
                if not (root / str(entry.get("sha256"))).is_dir():
                    problems.append(f"{root}: batch {event.get('batch_id')}: archived copy of "
                                    f"{entry.get('original')} is missing")
    return BatchArchiveReport(files=files, batches=batches, problems=problems)
