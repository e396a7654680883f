"""`--from DIR`: read a saved InferenceX capture from disk. Three layouts are recognised:

  * the shared fixture layout: one file per route (benchmarks.json, benchmarks-history.json, ...);
  * the ingester's own archive capture dir (manifest.json + files/): replayed with its original source
    and fetch time;
  * an InferenceX database dump dir (the weekly `db-dump` release): one JSON array per table
    (configs.json, workflow_runs.json, benchmark_results.json, ...).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ingest.errors import IngestError
from ingest.inferencex_archive import Capture, CaptureFile, is_capture_dir, read_capture_dir
from ingest.inferencex_routes import DUMP_REQUIRED, DUMP_TABLES, FIXTURE_FILES, dump_route


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror}") from None


def read_from_dir(path: Path, fetched_at: datetime) -> Capture:
    """The capture held by `path`; fetched_at is the capture time for layouts that carry none."""
    path = Path(path)
    if not path.is_dir():
        raise IngestError(f"{path}: no such directory")
    if is_capture_dir(path):
        return read_capture_dir(path)
    names = {p.name for p in path.iterdir() if p.is_file() and p.suffix == ".json"}
    source = str(path.resolve())
    if all(n in names for n in DUMP_REQUIRED):
        known = {f"{t}.json" for t in DUMP_TABLES}
        unknown = sorted(names - known)
        if unknown:
            raise IngestError(f"{path / unknown[0]}: not a table of an InferenceX db dump "
                              f"(known: {', '.join(DUMP_TABLES)})")
        files = [CaptureFile(f"{t}.json", dump_route(t), {}, str(path / f"{t}.json"), _read(path / f"{t}.json"),
                             fetched_at) for t in DUMP_TABLES if f"{t}.json" in names]
        return Capture(source, "db_dump", fetched_at, files)
    fixtures = sorted(names & set(FIXTURE_FILES))
    if fixtures:
        files = [CaptureFile(n, FIXTURE_FILES[n], {}, str(path / n), _read(path / n), fetched_at) for n in fixtures]
        return Capture(source, "fixture", fetched_at, files)
    raise IngestError(f"{path}: no InferenceX files found (expected an archive capture dir with {'manifest.json'}, "
                      f"route files such as benchmarks.json, or a db dump with {', '.join(DUMP_REQUIRED)})")
