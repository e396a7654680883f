"""The archive of the batch families (tool-use eval events, vLLM results, loadgen traces): every input
file of a landed batch, content-addressed, plus an append-only log of the batches, in landing order.

    <archive_root>/<family>/<sha256 of the file>/<original file name>   (bytes exactly as read, read-only)
    <archive_root>/<family>/<sha256 of the file>/manifest.json          (first ingest of these bytes)
    <archive_root>/<family>/ingests.jsonl                               (one line per landed batch, with
                                                                         the warehouse it landed in)
    <archive_root>/retirements.jsonl                                    (batches retired by `semibench
                                                                         batches retire`; never replayed)

family: eval_events | vllm_results | loadgen_traces (not `loadgen`: that directory holds the demo's run
directories). Identical bytes are stored once, whatever their name or path; a loadgen trace that grew is
new bytes, so a new directory. Files are written under a temporary name and renamed into place (the
helpers of ingest.archive), and an existing directory is never rewritten.

Order of events, per batch: validate -> land inside a transaction -> store the files (still inside it)
-> commit -> append the log line. So a batch that fails validation or landing stores nothing and logs
nothing; one whose commit itself fails leaves stored files no log line refers to, which is harmless
(immutable, and re-used as they are by the next ingest of the same bytes). `semibench rebuild` replays
the log (semibench.ops.rebuild), with each batch's original id, time, mode and file paths.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest import archive
from ingest.warehouse_identity import landed_here
from ingest.errors import IngestError
from semibench_core import __version__

FAMILIES = ("eval_events", "vllm_results", "loadgen_traces")
INGEST_LOG = "ingests.jsonl"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    name: str          # file name inside the content directory
    original: str      # the path it was read from by this ingest
    path: Path         # the archived copy
    was_new: bool      # this call created the content directory

    def entry(self) -> dict[str, str]:
        return {"sha256": self.sha256, "name": self.name, "original": self.original}


@dataclass(frozen=True)
class Replay:
    """A logged batch being replayed: land it under its original id and time, and record the paths it was
    originally read from instead of the archive's (so source_file/trace_file columns come out as they
    were). Nothing is archived or logged while replaying."""
    batch_id: str
    loaded_at: datetime            # naive UTC, as the raw tables store it
    paths: list[str]               # the batch's original path arguments
    origin: dict[str, str]         # archived file path (resolved) -> original path
    summaries: dict[str, str] = field(default_factory=dict)  # loadgen: archived trace -> archived summary.json
    server_metrics: dict[str, str] = field(default_factory=dict)  # loadgen: archived trace -> its server_metrics.jsonl
    sweeps: dict[str, str] = field(default_factory=dict)  # loadgen: sweep_id -> archived sweep.json


def family_root(archive_root: Path, family: str) -> Path:
    if family not in FAMILIES:
        raise ValueError(f"unknown archive family {family!r}")
    return Path(archive_root) / family


def _content_file(content_dir: Path) -> Path | None:
    files = [p for p in content_dir.iterdir() if p.name != archive.MANIFEST] if content_dir.is_dir() else []
    return files[0] if len(files) == 1 else None


def store_file(archive_root: Path, family: str, source: Path, *, batch_id: str, ingested_at: datetime,
               sha256: str | None = None, size: int | None = None, data: bytes | None = None) -> StoredFile:
    """Archive one input file (its first `size` bytes when given: a live trace keeps growing; or `data`,
    the bytes exactly as landed, under source's name), or return the copy already there. sha256, when the
    caller already hashed the file, skips the copy for known content and is checked against what was copied."""
    source = Path(source)
    root = family_root(archive_root, family)
    if sha256 is not None:
        existing = _content_file(root / sha256)
        if existing is not None:
            return StoredFile(sha256, existing.name, str(source), existing, was_new=False)
    root.mkdir(parents=True, exist_ok=True)
    archive._sweep_stale_tmp(root)
    tmp = Path(tempfile.mkdtemp(prefix=archive._TMP_PREFIX, dir=root))
    try:
        if data is not None:
            archive._write_readonly(tmp / source.name, data)
            got = archive.hashlib.sha256(data).hexdigest()
        else:
            got = archive.copy_readonly(source, tmp / source.name, limit=size)
        if sha256 is not None and got != sha256:
            raise IngestError(f"{source}: changed while it was being ingested (sha256 {got[:12]}, read as "
                              f"{sha256[:12]}); nothing was landed")
        final = root / got
        existing = _content_file(final)
        if existing is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            return StoredFile(got, existing.name, str(source), existing, was_new=False)
        manifest = {"format": MANIFEST_FORMAT, "family": family, "sha256": got, "name": source.name,
                    "bytes": (tmp / source.name).stat().st_size, "original_path": str(source),
                    "ingested_at": archive.format_time(ingested_at), "batch_id": batch_id,
                    "tool": {"name": "semibench-ingest", "version": __version__}}
        archive._write_readonly(tmp / archive.MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
        archive._fsync_dir(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it owner-only
        try:
            os.rename(tmp, final)
        except OSError:
            if _content_file(final) is None:
                raise
            # another ingester stored the same bytes first; theirs is identical, keep it
            shutil.rmtree(tmp, ignore_errors=True)
            existing = _content_file(final)
            return StoredFile(got, existing.name, str(source), existing, was_new=False)
        archive._fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return StoredFile(got, source.name, str(source), final / source.name, was_new=True)


def stored_path(archive_root: Path, family: str, entry: dict[str, Any]) -> Path:
    """The archived copy a log entry names, checked against its hash (a damaged archive is reported, not
    landed). Raises IngestError."""
    content_dir = family_root(archive_root, family) / str(entry.get("sha256"))
    path = content_dir / str(entry.get("name"))
    if not path.is_file():
        found = _content_file(content_dir)
        if found is None:
            raise IngestError(f"{content_dir}: archived copy of {entry.get('original')} is missing")
        path = found
    h = archive.hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    if h.hexdigest() != entry.get("sha256"):
        raise IngestError(f"{path}: sha256 does not match its archive directory (archive damaged or edited)")
    return path


def append_ingest_log(archive_root: Path, family: str, event: dict[str, Any]) -> None:
    """One line per landed batch (batch ids are unique, so a batch is never logged twice)."""
    path = family_root(archive_root, family) / INGEST_LOG
    if any(e.get("batch_id") == event["batch_id"] for e in archive.read_jsonl(path)):
        return
    archive.append_jsonl(path, {"family": family, **event})


def read_ingest_log(archive_root: Path, family: str) -> list[dict[str, Any]]:
    return archive.read_jsonl(family_root(archive_root, family) / INGEST_LOG)


def logged_batches(archive_root: Path, warehouse: Path | None = None) -> list[dict[str, Any]]:
    """Every logged batch of every family, in landing order (by time, then log order within a family).
    With `warehouse`: only the batches landed into it and not retired (what a rebuild of it replays)."""
    events = []
    retired = retirements(archive_root) if warehouse is not None else {}
    for family in FAMILIES:
        for i, event in enumerate(read_ingest_log(archive_root, family)):
            if warehouse is not None and (event.get("batch_id") in retired or not landed_here(event, warehouse)):
                continue
            try:
                when = archive.parse_time(event["ingested_at"])
            except (KeyError, TypeError, ValueError):
                continue
            events.append((when, FAMILIES.index(family), i, {**event, "family": family}))
    return [e for *_, e in sorted(events, key=lambda t: t[:3])]


def naive_utc(dt: datetime) -> datetime:
    return archive.utc(dt).replace(tzinfo=None)


# Retired batches, beside the archive (append-only, never rewritten): `semibench batches retire` writes a
# line, `semibench rebuild` skips every id listed. One file for all families, InferenceMAX snapshots too.
RETIREMENTS_LOG = "retirements.jsonl"


def retirements(archive_root: Path) -> dict[str, dict[str, Any]]:
    """Retired id -> its first retirement line."""
    out: dict[str, dict[str, Any]] = {}
    for event in archive.read_jsonl(Path(archive_root) / RETIREMENTS_LOG):
        if isinstance(event.get("id"), str):
            out.setdefault(event["id"], event)
    return out


def append_retirement(archive_root: Path, event: dict[str, Any]) -> None:
    archive.append_jsonl(Path(archive_root) / RETIREMENTS_LOG, event)
