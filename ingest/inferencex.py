"""`semibench ingest inferencex`: fetch (or read --from DIR) one InferenceX capture, check it, archive it and
land it raw. A bad FILE fails the capture (nothing lands, exit 1); bad RECORDS land marked with their
problems and are counted in records_quarantined (exit 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ingest.archive import utc
from ingest.config import Config
from ingest.errors import IngestError
from ingest.inferencex_archive import Capture, log_fetch, manifest_of, write_capture
from ingest.inferencex_client import fetch_capture
from ingest.inferencex_land import land_capture, landed_workflow_dates
from ingest.inferencex_readers import read_from_dir
from ingest.inferencex_validate import CheckedFile, check_file
from ingest.land import connect
from semibench_core import paths


@dataclass(frozen=True)
class InferenceXResult:
    capture_id: str
    source: str
    source_kind: str
    fetched_at: datetime
    was_new: bool
    files: int
    records_read: int
    records_new: int
    records_quarantined: int
    archive_path: str
    archive_was_new: bool
    routes: dict[str, int]  # records per route


def check_capture(capture: Capture) -> list[CheckedFile]:
    if not capture.files:
        raise IngestError(f"{capture.source}: the capture holds no files")
    return [check_file(f.file_name, f.route, f.body, f.url) for f in capture.files]


def ingest_inferencex(cfg: Config, *, from_dir: Path | None = None, models: list[str] | None = None,
                      date: str | None = None, fetched_at: datetime | None = None,
                      warehouse: Path | None = None, archive_root: Path | None = None) -> InferenceXResult:
    warehouse = Path(warehouse or paths.warehouse_path())
    archive_root = Path(archive_root or paths.archive_dir())
    ix = cfg.inferencex
    now = utc(fetched_at) if fetched_at else datetime.now(timezone.utc)
    if from_dir is not None:
        # an archive capture keeps its own time unless one is given (a rebuild replays each logged fetch of
        # it at that fetch's time); the other layouts carry none and take `now`
        capture = read_from_dir(from_dir, now)
        if fetched_at is not None:
            capture.fetched_at = now
    else:
        con = connect(warehouse)
        try:
            known = landed_workflow_dates(con)
        finally:
            con.close()
        files = fetch_capture(ix, models or list(ix.models), date, known)
        capture = Capture(ix.base_url, "api", now, files)
    checked = check_capture(capture)
    counts = {f.file_name: len(f.records) for f in checked}
    manifest = manifest_of(capture, counts)
    archive_dir, archive_new = write_capture(archive_root, capture, manifest)
    con = connect(warehouse)
    try:
        landed = land_capture(con, capture, checked, archive_path=str(archive_dir), manifest=manifest)
    finally:
        con.close()
    try:
        log_fetch(archive_root, capture, landed.was_new, warehouse)
    except OSError as exc:
        raise IngestError(f"capture {capture.capture_id} was landed, but logging it in {archive_root} failed: "
                          f"{exc.strerror or exc}") from None
    routes: dict[str, int] = {}
    for f in checked:
        routes[f.route] = routes.get(f.route, 0) + len(f.records)
    return InferenceXResult(
        capture_id=capture.capture_id, source=capture.source, source_kind=capture.source_kind,
        fetched_at=capture.fetched_at, was_new=landed.was_new, files=len(checked),
        records_read=sum(counts.values()), records_new=landed.records_new,
        records_quarantined=sum(f.quarantined for f in checked), archive_path=str(archive_dir),
        archive_was_new=archive_new, routes=routes)
