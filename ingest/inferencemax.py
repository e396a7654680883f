"""InferenceMAX ingest: fetch (or read) -> validate -> check whole -> archive -> land -> retention.

What lands:
- A file-level problem (unreadable, HTML, truncated, not an array) fails the snapshot: nothing lands.
- A record-level problem quarantines that record (landed verbatim with its reasons, kept out of the marts,
  counted in records_quarantined); the rest of the snapshot lands. strict=True fails the snapshot instead.
- A snapshot missing configured files, or with empty ones, fails unless allow_partial: then it lands
  flagged is_partial, and dbt never makes it the latest snapshot.
- A snapshot time later than now (plus MAX_CLOCK_SKEW) is refused: it would hide every later snapshot.

Failure semantics:
- Anything failing before the landing transaction commits (a fetch, a bad file, a locked warehouse, an
  error inside the transaction) leaves the warehouse exactly as it was, and earlier archive snapshots and
  the fetch log untouched.
- If landing fails after the archive directory was written, that archive snapshot stays. That is harmless:
  it is immutable and content-addressed, so the next ingest of the same content re-uses it as is.
- Retention removes archive directories only after the transaction that deleted their rows committed; if
  removal fails, the directories are still retention candidates and go next time.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ingest import archive
from ingest.config import Config
from ingest.errors import IngestError
from ingest.fetch import fetch_all
from ingest.land import SnapshotToLand, connect, land_snapshot
from ingest.validate import RawFile, ValidatedFile, validate_snapshot
from semibench_core import paths

__all__ = ["IngestError", "IngestResult", "ingest_inferencemax", "read_directory"]

# How far a snapshot time may run ahead of this machine's clock (a capture host's clock may be ahead).
MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class IngestResult:
    snapshot_id: str
    was_new: bool                # the snapshot's rows were landed by this call (False: already in the warehouse)
    source: str                  # base URL, directory, or (archive replay) the snapshot's original source
    fetched_at: datetime         # UTC time of this fetch
    file_count: int
    record_count: int
    hw_keys: list[str]
    archive_path: Path
    file_counts: dict[str, int] = field(default_factory=dict)  # canonical file name -> points
    archive_was_new: bool = False
    expired: list[str] = field(default_factory=list)          # snapshots removed by retention
    records_quarantined: int = 0  # landed verbatim but invalid (kept out of the marts)
    quarantined: list[str] = field(default_factory=list)      # "<file> record N: reasons", one per record
    is_partial: bool = False      # landed with configured files missing or empty (--allow-partial)
    missing_files: list[str] = field(default_factory=list)    # configured files absent or empty


@dataclass(frozen=True)
class _Read:
    raws: list[RawFile]
    source: str
    fetched_at: datetime | None  # known for live fetches and archive snapshots, not for plain directories
    from_archive: bool = False
    archived_partial: bool = False  # an archive snapshot's own flag (manifests from before the flag: False)


def read_directory(from_dir: Path) -> _Read:
    """Files of an offline directory: served or legacy names (bare or wrapped JSON, optionally .gz), or an
    archive snapshot directory (files/ + manifest.json), which replays with its original source and time."""
    from_dir = Path(from_dir)
    if not from_dir.is_dir():
        raise IngestError(f"{from_dir}: not a directory")
    if archive.is_snapshot_dir(from_dir):
        manifest, raws = archive.read_snapshot_dir(from_dir)
        return _Read(raws, manifest["source"], archive.parse_time(manifest["fetched_at"]), from_archive=True,
                     archived_partial=manifest.get("partial") is True)
    raws = []
    for path in sorted(from_dir.iterdir()):
        name = path.name
        if not path.is_file() or name == archive.MANIFEST or not name.endswith((".json", ".json.gz")):
            continue
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise IngestError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        if name.endswith(".gz"):
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as exc:
                raise IngestError(f"{path}: not a valid gzip file: {exc}") from exc
            name = name[:-3]
        raws.append(RawFile(file_name=name, url=str(path), body=body, allow_wrapped=True))
    if not raws:
        hint = ""
        if any(archive.is_snapshot_dir(p) for p in from_dir.iterdir() if p.is_dir()):
            hint = " (it holds archive snapshots: point --from at one snapshot directory)"
        raise IngestError(f"{from_dir}: no .json files to ingest{hint}")
    return _Read(raws, str(from_dir.resolve()), None)


def _legacy_fetch_time(files: list[ValidatedFile]) -> datetime | None:
    """The old pipeline recorded when it fetched each file; its earliest time is the snapshot time, so
    imported legacy archives keep their place in history instead of looking freshly fetched. Its
    timestamps carry no zone and are taken as UTC."""
    stamps: list[datetime] = []
    for f in files:
        text = (f.metadata or {}).get("timestamp")
        if not isinstance(text, str):
            return None
        try:
            stamps.append(archive.utc(datetime.fromisoformat(text)))
        except ValueError:
            return None
    return min(stamps) if stamps else None


def missing_or_empty(config: Config, files: list[ValidatedFile]) -> tuple[list[str], list[str]]:
    """Configured files (models x sequences x types) the snapshot lacks, and its files without a point.
    Files beyond the configuration are fine: a model the site added lands too."""
    present = {f.canonical_name for f in files}
    missing = [n for n in config.inferencemax.file_names() if n not in present]
    return missing, [f.canonical_name for f in files if not f.points]


def _name_some(names: list[str], limit: int = 4) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _check_whole(config: Config, files: list[ValidatedFile], read: _Read, allow_partial: bool) -> tuple[bool, list[str]]:
    """(is_partial, missing-or-empty names); raises unless the snapshot is whole or a partial one is allowed.
    An archive snapshot replays with its recorded flag: it was accepted once, and rebuilds must reproduce it."""
    missing, empty = missing_or_empty(config, files)
    if not any(f.points for f in files):
        raise IngestError(f"{read.source}: no points in any file, nothing to land (missing or empty: "
                          f"{_name_some(missing + empty)})")
    if read.from_archive:
        return read.archived_partial, missing + empty
    if (missing or empty) and not allow_partial:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} of {len(config.inferencemax.file_names())} configured files: {_name_some(missing)}")
        if empty:
            parts.append(f"empty ([]): {_name_some(empty)}")
        raise IngestError(f"{read.source}: incomplete snapshot, nothing landed: {'; '.join(parts)} "
                          f"(--allow-partial lands it flagged partial, never as the latest snapshot)")
    return bool(missing or empty), missing + empty


def _check_not_future(when: datetime, given: bool, source: str) -> None:
    now = datetime.now(timezone.utc)
    if when > now + MAX_CLOCK_SKEW:
        what = "--fetched-at" if given else f"{source}: snapshot time"
        raise IngestError(f"{what} {archive.format_time(when)} is in the future (now {archive.format_time(now.replace(microsecond=0))}, "
                          f"{int(MAX_CLOCK_SKEW.total_seconds() // 60)} min clock skew allowed): it would hide every later snapshot")


def ingest_inferencemax(config: Config, *, from_dir: Path | None = None, warehouse: Path | None = None,
                        archive_root: Path | None = None, progress: bool = True,
                        fetched_at: datetime | None = None, strict: bool = False,
                        allow_partial: bool = False) -> IngestResult:
    """Fetch every configured file from config.inferencemax.base_url (or read from_dir), validate all of
    them, archive the snapshot and land it in the warehouse. Raises IngestError with a one-line message.

    fetched_at: the snapshot time to record (UTC; naive is taken as UTC). Defaults to the archive
    manifest's time for an archive snapshot dir, the legacy metadata's time for old-pipeline files,
    otherwise now. Never later than now + MAX_CLOCK_SKEW.
    strict: any bad record fails the snapshot (default: bad records are quarantined, the rest lands).
    allow_partial: land a snapshot missing configured files (or with empty ones), flagged partial.
    """
    warehouse = Path(warehouse) if warehouse is not None else paths.warehouse_path()
    archive_root = Path(archive_root) if archive_root is not None else paths.archive_dir()

    if from_dir is None:
        started = datetime.now(timezone.utc)
        raws = fetch_all(config.inferencemax, progress=progress, allow_missing=allow_partial)
        read = _Read(raws, config.inferencemax.base_url, started)
    else:
        read = read_directory(from_dir)
    files = validate_snapshot(read.raws, strict=strict)
    when = archive.utc(fetched_at or read.fetched_at or _legacy_fetch_time(files) or datetime.now(timezone.utc))
    _check_not_future(when, fetched_at is not None, read.source)
    is_partial, missing = _check_whole(config, files, read, allow_partial)

    try:
        archived = archive.write_snapshot(archive_root, files, source=read.source, fetched_at=when,
                                          compress=config.archive.compress, partial=is_partial)
        manifest_text = (archived.path / archive.MANIFEST).read_text(encoding="utf-8")
    except OSError as exc:
        raise IngestError(f"{archive.source_root(archive_root)}: cannot write the archive snapshot, nothing "
                          f"was landed: {exc.strerror or exc}") from exc
    snapshot = SnapshotToLand(
        snapshot_id=archived.snapshot_id, source=read.source, first_fetched_at=archived.first_fetched_at,
        fetched_at=when, archive_path=str(archived.path), manifest=manifest_text, files=files,
        is_partial=is_partial,
    )
    con = connect(warehouse)
    try:
        landing = land_snapshot(con, snapshot, retention=config.archive.retention,
                                archive_times=archive.latest_fetch_times(archive_root), label=str(warehouse))
    finally:
        con.close()

    try:
        archive.append_fetch_log(archive_root, snapshot_id=archived.snapshot_id, source=read.source,
                                 fetched_at=when, was_new=archived.was_new, warehouse=warehouse)
        if landing.expired:
            archive.delete_snapshots(archive_root, landing.expired)
    except OSError as exc:
        # The warehouse is already committed; say so, so nobody re-runs believing nothing happened.
        raise IngestError(f"snapshot {archived.snapshot_id} was landed, but updating the archive at "
                          f"{archive.source_root(archive_root)} failed: {exc.strerror or exc}") from exc

    file_counts = {f.canonical_name: len(f.points) for f in files}
    return IngestResult(
        snapshot_id=archived.snapshot_id, was_new=landing.was_new, source=read.source, fetched_at=when,
        file_count=len(files), record_count=sum(file_counts.values()),
        hw_keys=sorted({k for f in files for k in f.hw_keys}), archive_path=archived.path,
        file_counts=file_counts, archive_was_new=archived.was_new, expired=landing.expired,
        records_quarantined=sum(f.records_quarantined for f in files),
        quarantined=[f"{f.canonical_name} {line}" for f in files for line in f.quarantine_lines()],
        is_partial=is_partial, missing_files=missing,
    )

