"""The InferenceX capture: the files of one ingest run, and their immutable, content-addressed archive.

Layout (docs/inferencex.md):
    <archive>/inferencex/<capture-id>/manifest.json        source, kind, fetched_at, per file: route, params,
                                                            URL, fetched_at, sha256, bytes, record count
    <archive>/inferencex/<capture-id>/files/<file name>     each response exactly as received (read-only)
    <archive>/inferencex/fetches.jsonl                      append-only: one line per ingest of a capture
The capture id is a hash of the files' names and sha256s, so the same content is archived once. A capture
is written into a temporary directory and renamed into place: a crash never leaves half a capture.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.archive import append_jsonl, format_time, parse_time, read_jsonl
from ingest.batch_archive import retirements
from ingest.warehouse_identity import landed_here, landing_mark
from ingest.errors import IngestError
from semibench_core import __version__

SOURCE_DIR = "inferencex"
MANIFEST = "manifest.json"
FILES_DIR = "files"
FETCH_LOG = "fetches.jsonl"
MANIFEST_FORMAT = "semibench-inferencex-capture/1"


@dataclass(frozen=True)
class CaptureFile:
    file_name: str
    route: str
    params: dict[str, str]
    url: str            # the URL fetched, or the local path read
    body: bytes         # exactly as received (after HTTP content decoding)
    fetched_at: datetime

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class Capture:
    source: str          # base URL or directory
    source_kind: str     # api | fixture | archive | db_dump
    fetched_at: datetime
    files: list[CaptureFile] = field(default_factory=list)

    @property
    def capture_id(self) -> str:
        lines = sorted(f"{f.file_name}\t{f.sha256}\n" for f in self.files)
        return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()[:16]


def root(archive_root: Path) -> Path:
    return Path(archive_root) / SOURCE_DIR


def is_capture_dir(path: Path) -> bool:
    return (path / MANIFEST).is_file() and (path / FILES_DIR).is_dir()


def manifest_of(capture: Capture, record_counts: dict[str, int]) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "capture_id": capture.capture_id,
        "source": capture.source,
        "source_kind": capture.source_kind,
        "fetched_at": format_time(capture.fetched_at),
        "files": [
            {"name": f.file_name, "stored_as": f"{FILES_DIR}/{f.file_name}", "route": f.route, "params": f.params,
             "url": f.url, "fetched_at": format_time(f.fetched_at), "sha256": f.sha256, "bytes": len(f.body),
             "record_count": record_counts.get(f.file_name, 0)}
            for f in sorted(capture.files, key=lambda f: f.file_name)
        ],
        "tool": {"name": "semibench-ingest", "version": __version__},
    }


def _write_readonly(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o444)


def write_capture(archive_root: Path, capture: Capture, manifest: dict[str, Any]) -> tuple[Path, bool]:
    """(capture dir, created by this call). An existing dir of the same id already holds this content."""
    base = root(archive_root)
    final = base / capture.capture_id
    if is_capture_dir(final):
        return final, False
    tmp = base / f".tmp-{capture.capture_id}-{uuid.uuid4().hex[:8]}"
    try:
        (tmp / FILES_DIR).mkdir(parents=True)
        for f in capture.files:
            _write_readonly(tmp / FILES_DIR / f.file_name, f.body)
        _write_readonly(tmp / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
        os.rename(tmp, final)
    except FileExistsError:
        shutil.rmtree(tmp, ignore_errors=True)  # a concurrent ingest archived the same content first
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if is_capture_dir(final):
            return final, False
        raise IngestError(f"{base}: cannot archive capture {capture.capture_id}, nothing was landed: "
                          f"{exc.strerror or exc}") from None
    return final, True


def read_capture_dir(path: Path) -> Capture:
    """A capture from its archive dir, with its original source and times (a replay)."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IngestError(f"{path / MANIFEST}: unreadable capture manifest: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise IngestError(f"{path / MANIFEST}: not an InferenceX capture manifest (format {MANIFEST_FORMAT})")
    capture = Capture(manifest["source"], manifest["source_kind"], parse_time(manifest["fetched_at"]))
    for entry in manifest["files"]:
        stored = path / entry["stored_as"]
        try:
            body = stored.read_bytes()
        except OSError as exc:
            raise IngestError(f"{stored}: cannot read archived file: {exc.strerror}") from None
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            raise IngestError(f"{stored}: sha256 does not match the manifest (archive damaged)")
        capture.files.append(CaptureFile(entry["name"], entry["route"], dict(entry["params"]), entry["url"], body,
                                         parse_time(entry["fetched_at"])))
    if capture.capture_id != manifest["capture_id"]:
        raise IngestError(f"{path / MANIFEST}: capture_id {manifest['capture_id']} does not match its files")
    return capture


def log_fetch(archive_root: Path, capture: Capture, was_new: bool, warehouse: Path | None = None) -> None:
    """One line per ingest of a capture, with the warehouse it landed in (rebuild replays only its own);
    a replay of the same (capture, time) is the same event."""
    path = root(archive_root) / FETCH_LOG
    stamp = format_time(capture.fetched_at)
    if any(e.get("capture_id") == capture.capture_id and e.get("fetched_at") == stamp for e in read_jsonl(path)):
        return
    append_jsonl(path, {"capture_id": capture.capture_id, "source": capture.source,
                        "source_kind": capture.source_kind, "fetched_at": stamp, "was_new": was_new,
                        **(landing_mark(warehouse) if warehouse is not None else {})})


def logged_captures(archive_root: Path, warehouse: Path | None = None) -> list[tuple[str, datetime]]:
    """(capture id, fetch time) of every logged ingest of a capture still archived, oldest first: what a
    rebuild replays. With `warehouse`: only ingests landed into it, and no retired capture."""
    retired = retirements(archive_root) if warehouse is not None else {}
    plan: dict[tuple[str, str], datetime] = {}
    for event in read_jsonl(root(archive_root) / FETCH_LOG):
        try:
            cid, when = event["capture_id"], parse_time(event["fetched_at"])
        except (KeyError, TypeError, ValueError):
            continue
        if cid in retired or not landed_here(event, warehouse) or not is_capture_dir(root(archive_root) / cid):
            continue
        plan[(cid, format_time(when))] = when
    return sorted(((cid, when) for (cid, _), when in plan.items()), key=lambda p: (p[1], p[0]))
