"""The main job: check -> ingest -> bundled sources (or the synthetic event logs) -> loadgen demo -> raw lake -> dbt build -> publish -> describe ->
report, as a list of named steps.

Each step is a function of the shared PipelineState; `run_steps` times each one and reports it to an
optional `on_step(name, status, seconds, error)` observer (the run log). Adding a step is one line in
PIPELINE_STEPS; `semibench rebuild` re-uses the steps from `lake` on (AFTER_INGEST)."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import duckdb

from semibench_core import paths
from semibench.dbt_runner import DbtResult, run_dbt
from semibench_core.faults import fault_point
from semibench.progress import dbt_progress
from semibench.publish import publish

@dataclass
class BuildOutcome:
    dbt: DbtResult
    published: Path | None
    scope: "BuildScope | None" = None  # semibench.build_scope: what this run chose to rebuild and test


@dataclass
class PipelineSummary:
    snapshot_id: str | None = None
    snapshot_was_new: bool | None = None
    build: BuildOutcome | None = None
    table_rows: dict[str, int] = field(default_factory=dict)
    hw_keys: list[str] = field(default_factory=list)
    rows_landed: int | None = None  # raw points landed (0 when the snapshot was already in the warehouse)
    loadgen_run_id: str | None = None
    loadgen_figures: dict | None = None  # the demo run as fct_runs reports it (None if not built)
    sample_event_logs: dict[str, int] = field(default_factory=dict)  # records landed per synthetic event log (--synthetic)
    bundled: "BundledLanding | None" = None  # semibench.bundled: what the default run landed besides the dashboard
    data_sources: "DataSources | None" = None  # semibench.data_sources: what the published warehouse shows, as of when
    report: "ReportPaths | None" = None  # semibench.report.ReportPaths
    report_error: str | None = None
    lake: "SyncSummary | None" = None  # ingest.lake.SyncSummary
    records_quarantined: int = 0  # records landed but quarantined by this run's ingests (alerts: on_quarantine)
    # every quarantined record in the published warehouse, per family (mart_quality__quarantine)
    quarantine_by_family: dict[str, int] = field(default_factory=dict)
    archive_problems: list[str] = field(default_factory=list)  # archived files that no longer match their hashes

    @property
    def ok(self) -> bool:
        return (self.build is not None and self.build.dbt.ok and self.build.published is not None
                and self.report_error is None)


def build_and_publish(warehouse: Path | None = None, published: Path | None = None, *,
                      dbt_args: list[str] | None = None, progress: bool = True) -> BuildOutcome:
    """dbt build; publish only if it succeeded, so the published copy is always the last good build."""
    result = dbt_build(warehouse, dbt_args=dbt_args, progress=progress)
    published_to = publish(warehouse, published) if result.ok else None
    return BuildOutcome(dbt=result, published=published_to)


# dbt nodes finished before the `dbt` fault point fires: past the seeds, in the middle of the models
_DBT_FAULT_AFTER_NODES = 10


def dbt_build(warehouse: Path | None = None, *, dbt_args: list[str] | None = None, progress: bool = True,
              target_dir: Path | None = None) -> DbtResult:
    ensure_warehouse_schema(Path(warehouse or paths.warehouse_path()))
    with dbt_progress(progress) as show:
        def on_progress(done, total, status, line):
            if done >= _DBT_FAULT_AFTER_NODES:
                fault_point("dbt")
            if show:
                show(done, total, status, line)

        return run_dbt(["build", *(dbt_args or [])], warehouse=warehouse, target_dir=target_dir,
                       on_progress=on_progress)


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


def quarantine_by_family(db: Path) -> dict[str, int]:
    """Quarantined records per family in a built warehouse ({} before the quarantine mart exists)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        exists = con.execute("""select count(*) from information_schema.tables
                                where table_schema = 'main' and table_name = 'mart_quality__quarantine'""").fetchone()[0]
        if not exists:
            return {}
        return dict(con.execute("select family, count(*) from mart_quality__quarantine group by 1 order by 1").fetchall())
    finally:
        con.close()


@dataclass
class PipelineState:
    """What the steps share: their inputs, and the summary they fill in."""
    source: str = "bundled"  # bundled (real, offline) | synthetic (test sample) | dir | live
    from_dir: Path | None = None
    config_path: Path | None = None
    warehouse: Path | None = None
    published: Path | None = None
    archive_root: Path | None = None
    progress: bool = True
    fetched_at: datetime | None = None
    loadgen_demo: bool = True
    report: bool = True
    report_dir: Path | None = None
    strict: bool = False         # InferenceMAX: any bad point fails the snapshot
    allow_partial: bool = False  # InferenceMAX: land a snapshot lacking configured files, flagged partial
    full_build: bool = False     # rebuild and test everything, not only what the changed sources feed
    summary: PipelineSummary = field(default_factory=PipelineSummary)


# A step returns its status ("success" if None, or "failed"/"skipped") or raises to stop the pipeline.
Step = Callable[[PipelineState], "str | None"]
OnStep = Callable[[str, str, float, "str | None"], None]


def step_check(state: PipelineState) -> None:
    """Refuse to build on a corrupt warehouse (run `semibench rebuild`); sweep crashed publishes' temp files;
    warn, before anything lands, when the archive (the source of truth rebuild replays) no longer matches
    its hashes, so a damaged archive is noticed the day it happens, not the day it is needed."""
    from semibench.ops.health import check_warehouse, sweep_publish_temps, verify_archive, verify_batch_archive

    check_warehouse(Path(state.warehouse or paths.warehouse_path()))
    sweep_publish_temps(Path(state.published or paths.published_path()))
    archive_root = Path(state.archive_root or paths.archive_dir())
    problems = verify_archive(archive_root).problems + verify_batch_archive(archive_root).problems
    state.summary.archive_problems = problems
    for problem in problems:
        print(f"warning: archive damaged: {problem}", file=sys.stderr)


def step_ingest(state: PipelineState) -> None:
    from ingest.config import load_config
    from ingest.inferencemax import ingest_inferencemax

    config = load_config(state.config_path)
    from_dir, fetched_at = state.from_dir, state.fetched_at
    if state.source == "bundled":
        from semibench import bundled

        from_dir, fetched_at = bundled.dashboard_dir(), fetched_at or bundled.DASHBOARD_FETCHED_AT
    elif state.source == "synthetic":
        from_dir = paths.sample_dir()
    elif state.source == "live":
        from_dir = None
    result = ingest_inferencemax(config, from_dir=from_dir, warehouse=state.warehouse,
                                 archive_root=state.archive_root, progress=state.progress,
                                 fetched_at=fetched_at, strict=state.strict, allow_partial=state.allow_partial)
    state.summary.snapshot_id, state.summary.snapshot_was_new = result.snapshot_id, result.was_new
    state.summary.rows_landed = result.record_count if result.was_new else 0
    state.summary.records_quarantined = result.records_quarantined


def step_bundled_sources(state: PipelineState) -> str:
    """The offline default's other real sources: the InferenceX API capture and the InferenceMAX run
    aggregates bundled in sample_data/real/. Content-addressed: re-runs land nothing new."""
    if state.source != "bundled":
        return "skipped"
    from semibench.bundled import land_bundled_sources

    landed = land_bundled_sources(Path(state.warehouse or paths.warehouse_path()), state.archive_root,
                                  state.config_path)
    state.summary.bundled = landed
    state.summary.records_quarantined += landed.records_quarantined
    return "success"


def step_sample_event_logs(state: PipelineState) -> str:
    """--synthetic only: the generated event-log samples (tool-use eval shards, vLLM results), so tests see
    all three kinds of data meeting. Content-hashed: re-runs land nothing new."""
    if state.source != "synthetic":
        return "skipped"
    from ingest.eval_events import ingest_eval_events
    from ingest.vllm_results import ingest_vllm_results

    warehouse = Path(state.warehouse or paths.warehouse_path())
    for name, ingest in (("eval_events", ingest_eval_events), ("vllm_results", ingest_vllm_results)):
        landed = ingest([paths.sample_event_dir(name)], warehouse, archive_root=state.archive_root)
        state.summary.sample_event_logs[name] = landed.records_landed
        state.summary.records_quarantined += landed.records_quarantined
    return "success"


def step_loadgen_demo(state: PipelineState) -> str:
    """A short load test against an in-process serve-sim, landed, so fct_runs and the placement mart have a run
    (once per warehouse: a warehouse that has the demo run keeps it and skips this step).
    Only with the bundled or synthetic data: a production run (--live, --from) must never land a simulated run among
    the user's own (the demo is flagged simulated anyway, and the report says so on top)."""
    if not state.loadgen_demo or state.source not in ("bundled", "synthetic"):
        return "skipped"
    from semibench.loadgen_demo import landed_demo_run, run_and_land_demo

    if earlier := landed_demo_run(Path(state.warehouse or paths.warehouse_path())):
        state.summary.loadgen_run_id = earlier  # the summary still shows the demo's figures
        return "skipped"

    runs_root = Path(state.archive_root) / "loadgen" if state.archive_root else None
    state.summary.loadgen_run_id = run_and_land_demo(state.warehouse, runs_root, state.archive_root).run_id
    return "success"


def step_lake(state: PipelineState) -> None:
    """Mirror the raw tables into the Parquet lake, so a Spark build (`semibench build --target spark`)
    or any other engine sees what this run landed. Idempotent: unchanged batches are not rewritten."""
    state.summary.lake = sync_lake_of(Path(state.warehouse or paths.warehouse_path()))


def sync_lake_of(warehouse: Path, lake: Path | None = None):
    from ingest.lake import sync_lake

    ensure_warehouse_schema(warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        return sync_lake(con, Path(lake or paths.lake_dir(warehouse)))
    finally:
        con.close()


# A run checks data, not SQL: dbt unit tests (fixed inputs, no warehouse data) run in `semibench build`
# and in CI, as dbt advises, not in every scheduled run.
RUN_EXCLUDES = ["--exclude-resource-type", "unit_test"]


def step_build(state: PipelineState) -> str:
    """Build and test what the changed sources feed (everything on a first build, a code change or
    --full-build; semibench.build_scope), and remember the inputs of a build that passed."""
    from semibench import build_scope

    warehouse = Path(state.warehouse or paths.warehouse_path())
    target_dir = paths.dbt_target_dir()
    scope = build_scope.plan_scope(warehouse, target_dir, full_requested=state.full_build)
    result = dbt_build(warehouse, dbt_args=[*scope.dbt_args(), *RUN_EXCLUDES], progress=state.progress)
    state.summary.build = BuildOutcome(dbt=result, published=None, scope=scope)
    build_scope.merge_node_results(warehouse, target_dir, scope)
    if not result.ok:
        return "failed"
    build_scope.record_inputs(warehouse, target_dir, scope)
    return "success"


def step_publish(state: PipelineState) -> str:
    """Only a passing build is published, so the published copy is always the last good build."""
    build = state.summary.build
    if build is None or not build.dbt.ok:
        return "skipped"
    build.published = publish(state.warehouse, state.published)
    return "success"


def step_describe(state: PipelineState) -> None:
    summary = state.summary
    db = summary.build.published if summary.build and summary.build.published else Path(state.warehouse or paths.warehouse_path())
    summary.table_rows, summary.hw_keys = describe_warehouse(db)
    summary.quarantine_by_family = quarantine_by_family(db)
    from semibench.data_sources import describe_sources_of

    summary.data_sources = describe_sources_of(db)
    if summary.loadgen_run_id:
        from semibench.loadgen_demo import demo_run_figures

        summary.loadgen_figures = demo_run_figures(db, summary.loadgen_run_id)


def step_report(state: PipelineState) -> str:
    """Also after a failed build, on the last good published warehouse: its data-quality section is then
    the most useful part."""
    if not state.report:
        return "skipped"
    from semibench.report import report_step

    summary = state.summary
    summary.report, summary.report_error = report_step(
        Path(state.published or paths.published_path()), Path(state.report_dir or paths.reports_dir()),
        paths.dbt_target_dir())
    return "failed" if summary.report_error else "success"


PIPELINE_STEPS: list[tuple[str, Step]] = [
    ("check", step_check),
    ("ingest", step_ingest),
    ("bundled_sources", step_bundled_sources),
    ("sample_event_logs", step_sample_event_logs),
    ("loadgen_demo", step_loadgen_demo),
    ("lake", step_lake),
    ("build", step_build),
    ("publish", step_publish),
    ("describe", step_describe),
    ("report", step_report),
]
# What runs once the raw data is in place (semibench rebuild replays the archive, then runs these).
AFTER_INGEST = PIPELINE_STEPS[PIPELINE_STEPS.index(("lake", step_lake)):]


def run_steps(steps: list[tuple[str, Step]], state: PipelineState, on_step: OnStep | None = None) -> PipelineSummary:
    for name, step in steps:
        started = time.monotonic()
        try:
            status = step(state) or "success"
        except BaseException as exc:
            if on_step:
                on_step(name, "failed", time.monotonic() - started, " ".join(str(exc).split()) or type(exc).__name__)
            raise
        if on_step:
            on_step(name, status, time.monotonic() - started, None)
    return state.summary


def run_pipeline(*, source: str = "bundled", from_dir: Path | None = None, config_path: Path | None = None,
                 warehouse: Path | None = None, published: Path | None = None, archive_root: Path | None = None,
                 progress: bool = True, fetched_at: datetime | None = None,
                 loadgen_demo: bool = True, report: bool = True, report_dir: Path | None = None,
                 on_step: OnStep | None = None, strict: bool = False, allow_partial: bool = False,
                 full_build: bool = False) -> PipelineSummary:
    """source: 'bundled' (the real published data in sample_data/real, offline), 'synthetic' (the generated
    test sample), 'live' (fetch base_url from config) or 'dir' (from_dir).
    loadgen_demo: also run a short load test against an in-process serve-sim and land it (offline).
    report: render the HTML + Markdown report after publishing.
    on_step(name, status, seconds, error) is told about every step as it ends (the run log uses it).
    full_build: build and test every model, not only those the changed sources feed."""
    state = PipelineState(source=source, from_dir=from_dir, config_path=config_path, warehouse=warehouse,
                          published=published, archive_root=archive_root, progress=progress, fetched_at=fetched_at,
                          loadgen_demo=loadgen_demo, report=report, report_dir=report_dir, strict=strict,
                          allow_partial=allow_partial, full_build=full_build)
    return run_steps(PIPELINE_STEPS, state, on_step)
