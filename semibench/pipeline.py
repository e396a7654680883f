"""The main job: ingest -> dbt build -> publish -> summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from semibench import paths
from semibench.dbt_runner import DbtResult, run_dbt
from semibench.progress import dbt_progress
from semibench.publish import publish


@dataclass
class BuildOutcome:
    dbt: DbtResult
    published: Path | None


@dataclass
class PipelineSummary:
    snapshot_id: str | None = None
    snapshot_was_new: bool | None = None
    build: BuildOutcome | None = None
    table_rows: dict[str, int] = field(default_factory=dict)
    hw_keys: list[str] = field(default_factory=list)
    loadgen_run_id: str | None = None
    loadgen_figures: dict | None = None  # the demo run as fct_runs reports it (None if not built)
    sample_event_logs: dict[str, int] = field(default_factory=dict)  # records landed per bundled event log
    report: "ReportPaths | None" = None  # semibench.report.ReportPaths
    report_error: str | None = None

    @property
    def ok(self) -> bool:
        return (self.build is not None and self.build.dbt.ok and self.build.published is not None
                and self.report_error is None)


def build_and_publish(warehouse: Path | None = None, published: Path | None = None, *,
                      dbt_args: list[str] | None = None, progress: bool = True) -> BuildOutcome:
    """dbt build; publish only if it succeeded, so the published copy is always the last good build."""
    ensure_warehouse_schema(Path(warehouse or paths.warehouse_path()))
    with dbt_progress(progress) as on_progress:
        result = run_dbt(["build", *(dbt_args or [])], warehouse=warehouse, on_progress=on_progress)
    published_to = publish(warehouse, published) if result.ok else None
    return BuildOutcome(dbt=result, published=published_to)


def ensure_warehouse_schema(warehouse: Path) -> None:
    """Every family's raw tables must exist before dbt reads its sources, even if that family was never ingested."""
    from ingest.raw_schema import ensure_raw_schema

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    try:
        ensure_raw_schema(con)
    finally:
        con.close()


def describe_warehouse(db: Path) -> tuple[dict[str, int], list[str]]:
    """Row counts of every model table/view and the hwKeys of the latest snapshot."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            """select table_schema, table_name from information_schema.tables
               where table_schema in ('main', 'intermediate', 'staging', 'raw', 'seeds')
               order by table_schema = 'main' desc, table_schema, table_name"""
        ).fetchall()
        rows = {}
        for schema, name in tables:
            qualified = name if schema == "main" else f"{schema}.{name}"
            rows[qualified] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        hw_keys: list[str] = []
        if ("main", "fct_inferencemax_points") in tables:
            hw_keys = [r[0] for r in con.execute(
                "select distinct hw_key from fct_inferencemax_points order by 1").fetchall()]
        return rows, hw_keys
    finally:
        con.close()


def land_sample_event_logs(warehouse: Path) -> dict[str, int]:
    """The embedded default also carries the two event-log families (tool-use eval shards, vLLM results),
    so an offline run shows all three kinds of data meeting. Content-hashed: re-runs land nothing new."""
    from ingest.eval_events import ingest_eval_events
    from ingest.vllm_results import ingest_vllm_results

    landed = {}
    for name, ingest in (("eval_events", ingest_eval_events), ("vllm_results", ingest_vllm_results)):
        batch = ingest([paths.sample_event_dir(name)], warehouse)
        landed[name] = batch.records_landed
    return landed


def run_pipeline(*, source: str = "sample", from_dir: Path | None = None, config_path: Path | None = None,
                 warehouse: Path | None = None, published: Path | None = None, archive_root: Path | None = None,
                 progress: bool = True, fetched_at: datetime | None = None,
                 loadgen_demo: bool = True, report: bool = True, report_dir: Path | None = None) -> PipelineSummary:
    """source: 'sample' (bundled snapshot, offline), 'live' (fetch base_url from config) or 'dir' (from_dir).
    loadgen_demo: also run a short load test against an in-process serve-sim and land it (offline)."""
    from ingest.config import load_config
    from ingest.inferencemax import ingest_inferencemax

    config = load_config(config_path)
    if source == "sample":
        from_dir = paths.sample_dir()
    elif source == "live":
        from_dir = None
    result = ingest_inferencemax(config, from_dir=from_dir, warehouse=warehouse, archive_root=archive_root,
                                 progress=progress, fetched_at=fetched_at)
    summary = PipelineSummary(snapshot_id=result.snapshot_id, snapshot_was_new=result.was_new)
    if source == "sample":
        summary.sample_event_logs = land_sample_event_logs(Path(warehouse or paths.warehouse_path()))
    if loadgen_demo:
        from semibench.loadgen_demo import run_and_land_demo

        runs_root = Path(archive_root) / "loadgen" if archive_root else None
        summary.loadgen_run_id = run_and_land_demo(warehouse, runs_root).run_id
    summary.build = build_and_publish(warehouse, published, progress=progress)
    db = summary.build.published or Path(warehouse or paths.warehouse_path())
    summary.table_rows, summary.hw_keys = describe_warehouse(db)
    if summary.loadgen_run_id:
        from semibench.loadgen_demo import demo_run_figures

        summary.loadgen_figures = demo_run_figures(db, summary.loadgen_run_id)
    if report:
        # report step: also after a failed build, on the last good published warehouse, because the
        # report's data-quality section is then the most useful part
        from semibench.report import report_step

        summary.report, summary.report_error = report_step(
            Path(published or paths.published_path()), Path(report_dir or paths.reports_dir()), paths.dbt_target_dir())
    return summary
