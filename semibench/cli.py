"""The `semibench` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ingest.cli import ALLOW_PARTIAL_HELP, STRICT_HELP, ingest_app
from ingest.inferencex_cli import inferencex_command
from loadgen.cli import loadgen_command, serve_sim_command
from semibench_core import paths
from semibench.loadgen_cmd import with_ingest
from semibench.ops.cli import batches_app, check_command, rebuild_command, runs_command, schedule_command
from semibench.ops.guard import EXIT_LOCKED
from semibench.plan.cli import plan_command
from semibench.publish import PublishError, publish as publish_warehouse
from semibench.query import FORMATS, QueryError, export_table, render, run_query
from semibench.run_summary import print_build_problems, print_summary

app = typer.Typer(
    help="semibench: a dbt-style SQL warehouse for LLM-inference performance data.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
def _ingest_takes_the_run_lock(ctx: typer.Context) -> None:
    """Fetch, validate, archive and land raw data in the warehouse. Every ingest takes the run lock (exit 75 if a run, build or other ingest holds it)."""
    # help never waits for, or fails on, the lock; click has consumed the subcommand's arguments by now,
    # so look at the command line itself
    if ctx.resilient_parsing or {"-h", "--help"} & set(sys.argv[1:]):
        return
    ctx.call_on_close(hold_run_lock("ingest").release)


def hold_run_lock(command: str):
    """The run lock for a writing command, or exit 75 with one line if another command holds it."""
    from semibench.ops.exclusive import take_run_lock
    from semibench.ops.lock import LockBusy

    try:
        return take_run_lock(command)
    except LockBusy as exc:
        fail(str(exc), EXIT_LOCKED)


app.add_typer(ingest_app, name="ingest", help="Fetch, validate, archive and land raw data in the warehouse.",
              callback=_ingest_takes_the_run_lock)
ingest_app.command("inferencex")(inferencex_command)  # issue 11: the InferenceX API source
app.command("loadgen")(with_ingest(loadgen_command))
app.command("serve-sim")(serve_sim_command)
app.command("plan")(plan_command)  # the capacity and cost planner (docs/planner.md)


def fail(message: str, code: int = 1) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)


@app.command()
def run(
    live: bool = typer.Option(False, "--live", help="Fetch the InferenceMAX files from the configured base_url instead of the bundled real data."),
    from_dir: Optional[Path] = typer.Option(None, "--from", help="Ingest a directory of already-downloaded JSON files (served or legacy names, or an archive snapshot) instead of the bundled real data.", exists=True, file_okay=False),
    synthetic: bool = typer.Option(False, "--synthetic", help="Land the GENERATED test sample (sample_data/inferencemax and the sample event logs) instead of the bundled real data: for tests and benchmarks only; the report labels it synthetic on top."),
    config: Optional[Path] = typer.Option(None, "--config", help="YAML config (base URL, models, sequences, timeouts, retries, archive options; alerts). Defaults are built in.", exists=True, dir_okay=False),
    fetched_at: Optional[str] = typer.Option(None, "--fetched-at", metavar="ISO-TIME", help="When the ingested capture was taken (no zone means UTC); orders snapshots for 'latest' and coverage. Default: the files' own time if they carry one, else now (the bundled dashboard snapshot: 2025-10-23)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars; only the summary."),
    loadgen_demo: bool = typer.Option(True, "--loadgen-demo/--no-loadgen-demo", help="Also run a short load test (a few seconds) against an in-process serve-sim and land it, so fct_runs and the InferenceMAX placement have a run (once per warehouse: a warehouse that has it keeps it; offline; only with the bundled or --synthetic data, never with --live/--from; flagged simulated, and the report says so on top)."),
    report: bool = typer.Option(True, "--report/--no-report", help="After publishing, write the HTML + Markdown report (see `semibench report`) to reports/<timestamp>/ (SEMIBENCH_REPORTS) and point reports/latest at it."),
    strict: bool = typer.Option(False, "--strict", help="InferenceMAX: " + STRICT_HELP),
    allow_partial: bool = typer.Option(False, "--allow-partial", help="InferenceMAX: " + ALLOW_PARTIAL_HELP),
    full_build: bool = typer.Option(False, "--full-build", help="Rebuild and test every model. By default a run rebuilds and tests only what the sources that changed since the last passing build feed (everything on a first build or after the project or dbt/DuckDB changed); dbt unit tests run in `semibench build`, not in runs."),
    once: bool = typer.Option(False, "--once", help=f"For cron and systemd timers: no progress bars, recorded as trigger 'once'. Every run takes the run lock; if another run holds it, exit {EXIT_LOCKED} at once (recorded as skipped_locked), so missed or overlapping runs are dropped, never stacked."),
) -> None:
    """The main job: check, ingest (by default, offline, the bundled real published data: an InferenceX API capture, the InferenceMAX dashboard snapshot of 2025-10-23 and InferenceMAX run aggregates) and a short serve-sim load test, dbt build, publish, report, summarize. One run at a time (run lock); every run is recorded in the run log (`semibench runs`)."""
    from ingest.cli import parse_fetched_at
    from ingest.errors import IngestError
    from semibench.ops.config import load_ops_config
    from semibench_core.faults import FaultSpecError, check_env
    from semibench.ops.guard import guarded_run, resolve_trigger
    from semibench.pipeline import run_pipeline

    if live + bool(from_dir) + synthetic > 1:
        fail("--live, --from and --synthetic are exclusive")
    source = "live" if live else ("dir" if from_dir else ("synthetic" if synthetic else "bundled"))
    try:
        when = parse_fetched_at(fetched_at)
        ops = load_ops_config(config)
        trigger = resolve_trigger("once" if once else "manual")
        check_env()
    except (IngestError, FaultSpecError, ValueError) as exc:
        fail(str(exc))
    outcome = guarded_run(
        lambda rec: run_pipeline(source=source, from_dir=from_dir, config_path=config, progress=not (quiet or once),
                                 fetched_at=when, loadgen_demo=loadgen_demo, report=report, on_step=rec.on_step,
                                 strict=strict, allow_partial=allow_partial, full_build=full_build),
        trigger=trigger, ops=ops)
    if outcome.exit_code == EXIT_LOCKED:
        fail(str(outcome.error), EXIT_LOCKED)
    if outcome.summary is None:
        fail(outcome.error or "run failed", outcome.exit_code)
    print_summary(outcome.summary, outcome.record)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)
    if outcome.summary.records_quarantined:
        from ingest.errors import EXIT_QUARANTINED

        raise typer.Exit(EXIT_QUARANTINED)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def build(
    ctx: typer.Context,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    target: str = typer.Option("dev", "--target", "-t", help="dbt target: 'dev' (DuckDB, the default; publishes a read-only copy) or 'spark' (local pyspark via dbt-spark, reading the raw Parquet lake; needs `pip install 'semibench\\[spark]'` and Java 17; nothing to publish: the tables live in the Spark warehouse)."),
) -> None:
    """dbt build the warehouse, then publish a read-only copy if it succeeded and the copy verifies (see `semibench publish`). Extra arguments go to dbt (e.g. --select fct_inferencemax_points+). Takes the run lock (exit 75 if a run, ingest or other build holds it)."""
    from semibench.pipeline import build_and_publish

    with hold_run_lock("build"):
        if target != "dev":
            return build_other_target(target, list(ctx.args), quiet)
        try:
            outcome = build_and_publish(dbt_args=list(ctx.args), progress=not quiet)
        except PublishError as exc:
            fail(str(exc))
        if outcome.dbt.ok and not ctx.args:
            # a whole build: the next `semibench run` may rebuild only what changes after it
            from semibench import build_scope

            full = build_scope.BuildScope(full=True, reason="semibench build")
            build_scope.merge_node_results(paths.warehouse_path(), paths.dbt_target_dir(), full)
            build_scope.record_inputs(paths.warehouse_path(), paths.dbt_target_dir(), full)
    counts = outcome.dbt.counts()
    print("dbt build: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f" (exit {outcome.dbt.returncode})")
    print_build_problems(outcome.dbt)
    if outcome.published:
        print(f"published {outcome.published}")
    else:
        fail("dbt build failed; the published warehouse was left as it was")


def build_other_target(target: str, dbt_args: list[str], quiet: bool) -> None:
    from semibench.pipeline import dbt_build, sync_lake_of
    from semibench.spark_env import spark_unavailable_reason

    if target == "spark" and (reason := spark_unavailable_reason()):
        fail(f"--target spark: {reason}")
    print(sync_lake_of(paths.warehouse_path()))
    # its own artifacts folder: the report reads the DuckDB build's run_results.json
    result = dbt_build(dbt_args=["--target", target, *dbt_args], progress=not quiet,
                       target_dir=paths.dbt_target_dir() / f"target-{target}")
    counts = result.counts()
    print(f"dbt build --target {target}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
          + f" (exit {result.returncode})")
    print_build_problems(result)
    if not result.ok:
        fail(f"dbt build --target {target} failed")


lake_app = typer.Typer(help="The raw lake: raw tables mirrored as date-partitioned Parquet (read by Spark).",
                       no_args_is_help=True)
app.add_typer(lake_app, name="lake")


@lake_app.command("sync")
def lake_sync() -> None:
    """Write the raw batches the lake lacks, remove those DuckDB no longer has; unchanged batches are left alone."""
    from semibench.pipeline import sync_lake_of

    print(f"{sync_lake_of(paths.warehouse_path())} in {paths.lake_dir()}")


@app.command()
def publish() -> None:
    """Copy the build warehouse to the read-only published location (atomic swap), only if the copy verifies: it opens, holds every raw table, its last dbt build succeeded, every table reads back in full (block checksums) and key marts are not empty while their raw tables hold valid rows. Otherwise the published copy is left byte-identical and one line says why (exit 1). Takes the run lock (exit 75 if busy)."""
    with hold_run_lock("publish"):
        try:
            print(f"published {publish_warehouse()}")
        except PublishError as exc:
            fail(str(exc))


@app.command()
def sql(
    query: str = typer.Argument(..., help="One read-only statement to run against the published warehouse, e.g. \"select * from mart_inferencemax__hardware_rollup limit 5\"."),
    fmt: str = typer.Option("table", "--format", "-f", help=f"Output format: {', '.join(FORMATS)}."),
    max_rows: int = typer.Option(200, "--max-rows", help="Print at most this many rows (0 = all)."),
    db: Optional[Path] = typer.Option(None, "--db", help="DuckDB file to query, opened read-only with the same restrictions (default: the published warehouse).", dir_okay=False),
) -> None:
    """Run ad-hoc SQL on the published, read-only warehouse (never blocked by a running build).

    Read-only for real: exactly one SELECT-kind statement (SELECT, WITH, FROM-first, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN [ANALYZE] of one; the connection is read-only with external access off and its configuration locked, so COPY … TO, EXPORT DATABASE, ATTACH, INSTALL/LOAD, SET/PRAGMA and reading other files (read_csv('/etc/passwd')) are refused with one line (exit 1). Use `semibench export` to write files."""
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        columns, rows = run_query(query, db)
    except (QueryError, PublishError) as exc:
        fail(str(exc))
    render(columns, rows, fmt, max_rows=max_rows or None)


@app.command()
def export(
    out: Path = typer.Option(..., "--out", "-o", help="Output file; .csv or .parquet picks the format."),
    table: str = typer.Option("fct_inferencemax_points", "--table", "-t", help="Table or view to export (default: the merged InferenceMAX points, the old inference_max_merged.csv)."),
    db: Optional[Path] = typer.Option(None, "--db", help="DuckDB file to read (default: the published warehouse).", dir_okay=False),
) -> None:
    """Export a table of the published warehouse to CSV or Parquet."""
    try:
        n = export_table(table, out, db)
    except (QueryError, PublishError) as exc:
        fail(str(exc))
    print(f"wrote {n} rows of {table} to {out}")


@app.command()
def report(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Reports directory: the report is written to OUT/<UTC timestamp>/ (report.html with inline SVG charts, report.md summary) and OUT/latest points at it. Default: reports/ in the project, or SEMIBENCH_REPORTS.", file_okay=False),
    db: Optional[Path] = typer.Option(None, "--db", help="DuckDB warehouse to report on, opened read-only (default: the published warehouse, SEMIBENCH_PUBLISHED).", exists=True, dir_okay=False),
    dbt_target: Optional[Path] = typer.Option(None, "--dbt-target", help="dbt target directory whose run_results.json gives the data-quality section its test outcomes (default: DBT_TARGET_PATH, else target/). A missing file only leaves the test outcomes out.", file_okay=False),
    open_browser: bool = typer.Option(False, "--open", help="Open report.html in the default web browser afterwards."),
) -> None:
    """Render the report of the warehouse: throughput-vs-interactivity charts with Pareto frontiers, hardware rankings, trends over snapshots, loadgen latency distributions, tool-use success rates and data quality (failed/warned dbt tests, coverage losses, unknown hardware)."""
    from semibench.report import render_report
    from semibench.report.data import ReportDataError

    published = db or paths.published_path()
    if not Path(published).exists():
        fail(f"{published}: no published warehouse yet (run `semibench run` or `semibench build`)")
    try:
        result = render_report(published, out or paths.reports_dir(), dbt_target or paths.dbt_target_dir())
    except ReportDataError as exc:
        fail(str(exc))
    print(f"report    {result.html}")
    print(f"summary   {result.markdown}")
    if result.latest:
        print(f"latest    {result.latest}")
    if open_browser:
        import webbrowser

        webbrowser.open(result.html.resolve().as_uri())


@app.command()
def where() -> None:
    """Print where the project, warehouse, published copy, archive, run log and run lock live (after env overrides)."""
    from semibench.ops.lock import lock_path
    from semibench.ops.runlog import run_log_path

    print(f"project    {paths.PROJECT_DIR}")
    print(f"warehouse  {paths.warehouse_path()}   (SEMIBENCH_WAREHOUSE)")
    print(f"published  {paths.published_path()}   (SEMIBENCH_PUBLISHED)")
    print(f"raw lake   {paths.lake_dir()}   (SEMIBENCH_LAKE)")
    print(f"spark      {paths.spark_warehouse_dir()}   (SEMIBENCH_SPARK_WAREHOUSE; --target spark)")
    print(f"archive    {paths.archive_dir()}   (SEMIBENCH_ARCHIVE)")
    print(f"reports    {paths.reports_dir()}   (SEMIBENCH_REPORTS)")
    print(f"run log    {run_log_path()}   (SEMIBENCH_RUN_LOG)")
    print(f"run lock   {lock_path()}   (SEMIBENCH_LOCK)")


# operations: scheduler daemon, rebuild from the archive, health check, run log
app.command("schedule")(schedule_command)
app.command("rebuild")(rebuild_command)
app.command("check")(check_command)
app.command("runs")(runs_command)
app.add_typer(batches_app, name="batches")


if __name__ == "__main__":
    app()
