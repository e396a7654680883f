"""The immutable raw archive: one content-addressed directory per distinct snapshot, plus a fetch log.

    <archive_root>/inferencemax/<snapshot_id>/manifest.json
    <archive_root>/inferencemax/<snapshot_id>/files/<canonical name>[.gz]   (bytes exactly as fetched)
    <archive_root>/inferencemax/fetches.jsonl                               (one line per fetch)

The archive, not the warehouse, is the source of truth: the warehouse can be rebuilt from it. Snapshot
directories are written under a temporary name and renamed into place, so a reader never sees a
half-written snapshot, and an existing snapshot is never rewritten.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ingest.errors import IngestError
from ingest.warehouse_identity import landed_here, landing_mark
from ingest.validate import RawFile, ValidatedFile
from semibench_core import __version__

SOURCE_DIR = "inferencemax"
MANIFEST = "manifest.json"
FILES_DIR = "files"
FETCH_LOG = "fetches.jsonl"
MANIFEST_FORMAT = 1
_TMP_PREFIX = ".tmp-"
# Temp dirs older than this are leftovers of a crashed run, not another ingester still writing.
_STALE_TMP_S = 3600


@dataclass(frozen=True)
class ArchivedSnapshot:
    snapshot_id: str
    path: Path
    manifest: dict[str, Any]
    was_new: bool  # this call created the directory

    @property
    def first_fetched_at(self) -> datetime:
        return parse_time(self.manifest["fetched_at"])


def utc(dt: datetime) -> datetime:
    """Aware UTC; naive datetimes are taken to already be UTC."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def format_time(dt: datetime) -> str:
    return utc(dt).isoformat()


def parse_time(text: str) -> datetime:
    return utc(datetime.fromisoformat(text))


def compute_snapshot_id(files: Iterable[tuple[str, str]]) -> str:
    """First 16 hex chars of sha256 over sorted '<canonical name>\\t<sha256 of bytes>\\n' lines: the same
    content always gets the same id, whenever and from wherever it was fetched."""
    lines = sorted(f"{name}\t{sha}\n" for name, sha in files)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()[:16]


def snapshot_id_of(files: list[ValidatedFile]) -> str:
    return compute_snapshot_id((f.canonical_name, f.sha256) for f in files)


def source_root(archive_root: Path) -> Path:
    return Path(archive_root) / SOURCE_DIR


def is_snapshot_dir(path: Path) -> bool:
    return (path / MANIFEST).is_file() and (path / FILES_DIR).is_dir()


def list_snapshot_ids(archive_root: Path) -> list[str]:
    root = source_root(archive_root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and is_snapshot_dir(p))


def stored_file_name(canonical_name: str) -> str:
    """The archive file name of a data file: a model slug may contain '/' (a configured HF-style id), which
    cannot be part of one file name, so '%' and '/' are percent-encoded (reversibly; the manifest keeps
    the real name)."""
    return canonical_name.replace("%", "%25").replace("/", "%2F")


def build_manifest(snapshot_id: str, files: list[ValidatedFile], *, source: str, fetched_at: datetime,
                   compress: bool, partial: bool = False) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "snapshot_id": snapshot_id,
        "source": source,
        "fetched_at": format_time(fetched_at),
        "compressed": compress,
        # landed with configured files missing or empty (--allow-partial); a replay keeps the flag
        "partial": partial,
        "files": [
            {
                "name": f.canonical_name,
                "stored_as": f"{FILES_DIR}/{stored_file_name(f.canonical_name)}{'.gz' if compress else ''}",
                "url": f.url,
                "sha256": f.sha256,
                "bytes": len(f.body),
                "record_count": len(f.points),
                "records_quarantined": f.records_quarantined,
                "hw_keys": f.hw_keys,
                "model_slug": f.name.model_slug,
                "sequence_slug": f.name.sequence_slug,
                "data_type": f.name.data_type,
            }
            for f in files
        ],
        "tool": {"name": "semibench-ingest", "version": __version__},
    }


def _write_readonly(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o444)


def copy_readonly(src: Path, dest: Path, limit: int | None = None) -> str:
    """Stream the first `limit` bytes (all when None) of src into a new read-only file; their sha256.
    The streaming twin of _write_readonly, for files too big to hold in memory (loadgen traces)."""
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(dest, "xb") as fout:
        remaining = limit
        while remaining is None or remaining > 0:
            chunk = fin.read(1 << 20 if remaining is None else min(1 << 20, remaining))
            if not chunk:
                break
            h.update(chunk)
            fout.write(chunk)
            if remaining is not None:
                remaining -= len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    os.chmod(dest, 0o444)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sweep_stale_tmp(root: Path) -> None:
    now = time.time()
    for p in root.glob(f"{_TMP_PREFIX}*"):
        try:
            if now - p.stat().st_mtime > _STALE_TMP_S:
                shutil.rmtree(p, ignore_errors=True)
        except FileNotFoundError:
            pass


def read_manifest(snapshot_dir: Path) -> dict[str, Any]:
    path = snapshot_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IngestError(f"{path}: archive snapshot has no manifest.json (move the directory away and re-fetch)") from exc
    except (OSError, ValueError) as exc:
        raise IngestError(f"{path}: unreadable archive manifest: {' '.join(str(exc).split())}") from exc
    for key in ("snapshot_id", "source", "fetched_at", "files"):
        if key not in manifest:
            raise IngestError(f"{path}: archive manifest lacks '{key}'")
    return manifest


def write_snapshot(archive_root: Path, files: list[ValidatedFile], *, source: str, fetched_at: datetime,
                   compress: bool, partial: bool = False) -> ArchivedSnapshot:
    """Archive a validated snapshot, or return the existing one with the same content untouched."""
    snapshot_id = snapshot_id_of(files)
    root = source_root(archive_root)
    final = root / snapshot_id
    if final.exists():
        return ArchivedSnapshot(snapshot_id, final, read_manifest(final), was_new=False)

    root.mkdir(parents=True, exist_ok=True)
    _sweep_stale_tmp(root)
    manifest = build_manifest(snapshot_id, files, source=source, fetched_at=fetched_at, compress=compress,
                              partial=partial)
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{snapshot_id}-", dir=root))
    try:
        (tmp / FILES_DIR).mkdir()
        for f, entry in zip(files, manifest["files"]):
            data = gzip.compress(f.body, mtime=0) if compress else f.body  # mtime=0: same bytes every time
            _write_readonly(tmp / entry["stored_as"], data)
        _write_readonly(tmp / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
        _fsync_dir(tmp / FILES_DIR)
        os.chmod(tmp, 0o755)  # mkdtemp makes it owner-only
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.exists():
                raise
            # Another ingester archived the same content first; theirs is byte-identical, keep it.
            shutil.rmtree(tmp, ignore_errors=True)
            return ArchivedSnapshot(snapshot_id, final, read_manifest(final), was_new=False)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ArchivedSnapshot(snapshot_id, final, manifest, was_new=True)


def read_snapshot_dir(snapshot_dir: Path) -> tuple[dict[str, Any], list[RawFile]]:
    """The manifest and original bytes of an archived snapshot, checked against the manifest's hashes so a
    damaged archive is reported rather than landed."""
    manifest = read_manifest(snapshot_dir)
    raws: list[RawFile] = []
    listed: set[Path] = set()
    for entry in manifest["files"]:
        stored = snapshot_dir / entry.get("stored_as", f"{FILES_DIR}/{entry['name']}")
        listed.add(stored)
        try:
            data = stored.read_bytes()
        except OSError as exc:
            raise IngestError(f"{stored}: listed in the archive manifest but unreadable: {exc.strerror or exc}") from exc
        if stored.name.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise IngestError(f"{stored}: corrupt gzip in archive: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise IngestError(f"{stored}: sha256 does not match the archive manifest (archive damaged or edited)")
        raws.append(RawFile(file_name=entry["name"], url=entry.get("url") or str(stored), body=data, allow_wrapped=True))
    extra = sorted(p.name for p in (snapshot_dir / FILES_DIR).iterdir() if p not in listed)
    if extra:
        raise IngestError(f"{snapshot_dir / FILES_DIR / extra[0]}: file not listed in the archive manifest")
    actual = compute_snapshot_id((e["name"], e["sha256"]) for e in manifest["files"])
    if actual != manifest["snapshot_id"]:
        raise IngestError(f"{snapshot_dir / MANIFEST}: snapshot_id {manifest['snapshot_id']} does not match its files ({actual})")
    return manifest, raws


def append_fetch_log(archive_root: Path, *, snapshot_id: str, source: str, fetched_at: datetime, was_new: bool,
                     warehouse: Path | None = None) -> None:
    """One line per fetch, naming the warehouse it landed in (a rebuild replays only its own). A replay of
    the same (snapshot, fetch time, warehouse), e.g. re-ingesting an archive snapshot, is the same event
    and is not logged twice."""

    path = source_root(archive_root) / FETCH_LOG
    stamp = format_time(fetched_at)
    for event in read_fetch_log(archive_root):
        if (event.get("snapshot_id") == snapshot_id and event.get("fetched_at") == stamp
                and landed_here(event, warehouse)):
            return
    append_jsonl(path, {"snapshot_id": snapshot_id, "source": source, "fetched_at": stamp, "was_new": was_new,
                        **(landing_mark(warehouse) if warehouse is not None else {})})


def append_jsonl(path: Path, event: dict[str, Any]) -> None:
    """Append one JSON line to an append-only log (the fetch log, the batch families' ingest logs)."""
    line = json.dumps(event, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write() on an O_APPEND file: concurrent appenders cannot interleave within a line.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a torn last line from a crash must not block future ingests
        if isinstance(event, dict):
            events.append(event)
    return events


def read_fetch_log(archive_root: Path) -> list[dict[str, Any]]:
    return read_jsonl(source_root(archive_root) / FETCH_LOG)


def latest_fetch_times(archive_root: Path) -> dict[str, datetime]:
    """Most recent fetch time of each snapshot still in the archive (from manifests and the fetch log).
    Log entries of snapshots already deleted by retention are ignored: they must not hold a place."""
    times: dict[str, datetime] = {}
    present = set(list_snapshot_ids(archive_root))

    def note(snapshot_id: str, when: datetime) -> None:
        if snapshot_id in present and (snapshot_id not in times or when > times[snapshot_id]):
            times[snapshot_id] = when

    for sid in present:
        try:
            note(sid, parse_time(read_manifest(source_root(archive_root) / sid)["fetched_at"]))
        except (IngestError, ValueError):
            continue
    for event in read_fetch_log(archive_root):
        try:
            note(event["snapshot_id"], parse_time(event["fetched_at"]))
        except (KeyError, TypeError, ValueError):
            continue
    return times


def delete_snapshots(archive_root: Path, snapshot_ids: Iterable[str]) -> None:
    """Remove snapshot directories (retention). Files are read-only, but removal depends on the
    directory's permissions, which stay writable."""
    root = source_root(archive_root)
    for sid in snapshot_ids:
        path = root / sid
        if not path.is_dir():
            continue
        # Rename first so the snapshot vanishes atomically; a crash mid-delete leaves only a temp dir
        # (swept later), never a snapshot directory with some files missing.
        doomed = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}deleted-{sid}-", dir=root))
        os.rename(path, doomed / sid)
        shutil.rmtree(doomed)
