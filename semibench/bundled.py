"""The real public data the offline default run lands (sample_data/real/, see its PROVENANCE.md): the
InferenceMAX dashboard snapshot of 2025-10-23, an InferenceX /api/v1 capture and InferenceMAX run aggregates.
Each piece is landed through its ordinary ingester, so the default run exercises the production paths."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from semibench_core import paths

DASHBOARD = "inferencemax-dashboard-2025-10-23"
INFERENCEX = "inferencex-api"
AGG = "inferencemax-agg"

# The dashboard files carry no time; the capture is known to the day (PROVENANCE.md), so noon UTC of that
# day, which also orders it before any later capture a user imports (e.g. the legacy 2025-10-24 archive).
DASHBOARD_FETCHED_AT = datetime(2025, 10, 23, 12, 0, tzinfo=timezone.utc)
# agg_bmk.json records carry no date; the runs' span, from the GitHub Actions runs they come from (PROVENANCE.md)
AGG_PERIOD = "Dec 2025–Jan 2026"


def dashboard_dir() -> Path:
    return paths.bundled_dir() / DASHBOARD


def inferencex_dir() -> Path:
    return paths.bundled_dir() / INFERENCEX


def agg_dir() -> Path:
    return paths.bundled_dir() / AGG


def inferencex_capture_time(directory: Path) -> datetime:
    """When the saved API responses were captured: the newest time the responses themselves carry (a
    workflow run's created_at, else the newest result/availability date, at 00:00 UTC). Never now(): the
    same files must always land as the same capture."""
    newest: datetime | None = None

    def see(value: datetime) -> None:
        nonlocal newest
        newest = value if newest is None or value > newest else newest

    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        records = data if isinstance(data, list) else [r for v in data.values() if isinstance(v, list) for r in v]
        for record in records:
            if not isinstance(record, dict):
                continue
            if isinstance(record.get("created_at"), str):
                see(datetime.fromisoformat(record["created_at"].replace("Z", "+00:00")))
            elif isinstance(record.get("date"), str) and len(record["date"]) == 10:
                see(datetime.fromisoformat(record["date"]).replace(tzinfo=timezone.utc))
    if newest is None:
        raise ValueError(f"{directory}: no dated record in the saved InferenceX responses")
    return newest


@dataclass
class BundledLanding:
    inferencex_capture: str
    inferencex_records_new: int
    agg_records_landed: int
    records_quarantined: int


def land_bundled_sources(warehouse: Path, archive_root: Path | None, config_path: Path | None) -> BundledLanding:
    """The InferenceX capture and the run aggregates (the dashboard snapshot goes through the ingest step).
    Content-addressed: a re-run lands nothing new."""
    from ingest.config import load_config
    from ingest.inferencex import ingest_inferencex
    from ingest.vllm_results import ingest_vllm_results

    ix = ingest_inferencex(load_config(config_path), from_dir=inferencex_dir(),
                           fetched_at=inferencex_capture_time(inferencex_dir()), warehouse=warehouse,
                           archive_root=archive_root)
    agg = ingest_vllm_results([agg_dir()], warehouse, archive_root=archive_root)
    return BundledLanding(ix.capture_id, ix.records_new, agg.records_landed,
                          ix.records_quarantined + agg.records_quarantined)
