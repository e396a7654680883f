"""CLI commands for operations: `schedule`, `rebuild`, `check`, `runs` (registered in semibench/cli.py)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer


def _fail(message: str, code: int = 1) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def _source_args(live: bool, from_dir: Optional[Path], config: Optional[Path]) -> list[str]:
    if live and from_dir:
        _fail("--live and --from are exclusive")
    args = []
    if config:
        args += ["--config", str(Path(config).resolve())]
    if live:
        args.append("--live")
    if from_dir:
        args += ["--from", str(Path(from_dir).resolve())]
    return args


def schedule_command(
    cron: Optional[str] = typer.Option(None, "--cron", metavar="EXPR", help="Cron expression, e.g. \"15 6 * * *\" (daily 06:15); a 6th field is seconds. Overrides schedule.cron of --config (default \"15 6 * * *\")."),
    timezone: Optional[str] = typer.Option(None, "--timezone", metavar="TZ", help="IANA zone the cron expression is read in. Overrides schedule.timezone (default UTC)."),
    config: Optional[Path] = typer.Option(None, "--config", help="YAML config: inferencemax/archive (passed to every run), schedule and alerts sections.", exists=True, dir_okay=False),
    live: bool = typer.Option(False, "--live", help="Each run fetches the InferenceMAX files from base_url (the usual production setting)."),
    from_dir: Optional[Path] = typer.Option(None, "--from", help="Each run ingests this directory instead (default: the bundled sample).", exists=True, file_okay=False),
    grace: Optional[float] = typer.Option(None, "--grace", metavar="SECONDS", help="On SIGTERM/SIGINT, let a running pipeline finish for this long before terminating it. Overrides schedule.grace_s (default 600)."),
    max_runs: Optional[int] = typer.Option(None, "--max-runs", min=1, help="Exit after starting this many runs (for tests and trials). Default: run forever."),
) -> None:
    """Run the pipeline on a cron schedule, in the foreground (for systemd or a container). One run at a time: a fire time that passes while a run is going is skipped, not queued. SIGTERM stops it cleanly (exit 0)."""
    from ingest.errors import IngestError
    from semibench.ops.config import check_cron, check_timezone, load_ops_config
    from semibench.ops.schedule import ScheduleSpec, Scheduler

    child_args = _source_args(live, from_dir, config)
    try:
        sched = load_ops_config(config).schedule
        if cron is not None:
            sched = replace(sched, cron=check_cron(cron, "--cron"))
        if timezone is not None:
            sched = replace(sched, timezone=check_timezone(timezone, "--timezone"))
    except IngestError as exc:
        _fail(str(exc))
    if grace is not None and grace < 0:
        _fail(f"--grace must be >= 0, got {grace:g}")
    spec = ScheduleSpec(cron=sched.cron, timezone=sched.timezone, grace_s=sched.grace_s if grace is None else grace,
                        max_runs=max_runs, child_args=child_args)
    raise typer.Exit(Scheduler(spec).serve())


def rebuild_command(
    config: Optional[Path] = typer.Option(None, "--config", help="YAML config (alerts; archive.compress). Retention is ignored: a rebuild never deletes archived snapshots.", exists=True, dir_okay=False),
    force: bool = typer.Option(False, "--force", help="Rebuild even if the warehouse is healthy (it is moved aside as *.replaced-<time>)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Rebuild the build warehouse from the archive (the source of truth): move the current file aside (*.corrupt-<time>), replay every archived snapshot in fetch-log order, dbt build, publish."""
    from ingest.errors import IngestError
    from semibench import paths
    from semibench.ops.config import load_ops_config
    from semibench.ops.guard import EXIT_LOCKED, guarded_run
    from semibench.ops.rebuild import needs_rebuild, rebuild_warehouse

    try:
        ops = load_ops_config(config)
    except IngestError as exc:
        _fail(str(exc))
    reason = needs_rebuild(paths.warehouse_path())
    if reason is None and not force:
        print(f"{paths.warehouse_path()}: healthy, nothing to rebuild (--force rebuilds it anyway)")
        return
    if reason:
        print(f"rebuilding: {reason}")
    outcome = guarded_run(
        lambda rec: rebuild_warehouse(config_path=config, progress=not quiet, on_step=rec.on_step),
        trigger="rebuild", ops=ops)
    if outcome.exit_code == EXIT_LOCKED:
        _fail(str(outcome.error), EXIT_LOCKED)
    if outcome.summary is not None:
        from semibench.cli import print_summary
        print_summary(outcome.summary, outcome.record)
    if outcome.exit_code:
        _fail(outcome.error or "rebuild failed", outcome.exit_code)


def check_command() -> None:
    """Check the build warehouse (opens, every raw row readable), the published copy, the archive (every file's sha256 against its manifest) and the run lock. Exit 1 if the warehouse or archive is damaged."""
    from semibench import paths
    from semibench.ops import lock, runlog
    from semibench.ops.health import WarehouseBusy, WarehouseCorrupt, check_published, check_warehouse, verify_archive

    bad = False
    try:
        rows = check_warehouse(paths.warehouse_path())
        print(f"warehouse  ok: {paths.warehouse_path()} ({sum(rows.values()):,} raw rows in {len(rows)} tables)"
              if rows else f"warehouse  none yet: {paths.warehouse_path()}")
    except WarehouseCorrupt as exc:
        bad = True
        print(f"warehouse  CORRUPT: {exc}")
    except WarehouseBusy as exc:
        print(f"warehouse  busy: {exc}")
    problem = check_published(paths.published_path())
    print(f"published  {'ok: ' + str(paths.published_path()) if problem is None else problem}")
    report = verify_archive(paths.archive_dir())
    if report.problems:
        bad = True
        print(f"archive    DAMAGED: {len(report.problems)} of {report.snapshots} snapshots")
        for p in report.problems:
            print(f"  {p}")
    else:
        print(f"archive    ok: {report.snapshots} snapshots, {report.files} files match their manifests")
    state = lock.inspect()
    if state.held:
        print(f"lock       held: {state.holder.describe() if state.holder else lock.lock_path()}")
    elif state.stale:
        print(f"lock       stale (the next run takes it over): {state.holder.describe()}")
    else:
        print("lock       free")
    runs = runlog.read_runs()
    if runs:
        last = runs[-1]
        print(f"last run   {last.run_id} {last.trigger} {last.status}" + (f": {last.error}" if last.error else ""))
    if bad:
        raise typer.Exit(1)


def runs_command(
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="Show the last N runs (0 = all)."),
    fmt: str = typer.Option("table", "--format", "-f", help="Output format: table, csv, json, markdown."),
) -> None:
    """List pipeline runs from the run log (<archive>/pipeline_runs.jsonl), newest last. Works even when the warehouse is broken; in SQL the same data is `select * from pipeline_runs`."""
    from semibench.ops import runlog
    from semibench.query import FORMATS, render

    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    records = runlog.read_runs()
    if limit:
        records = records[-limit:]
    columns = ["run_id", "trigger", "status", "started_at", "seconds", "steps", "snapshot_id", "rows_landed",
               "tests_failed", "tests_warned", "error"]
    rows = [(r.run_id, r.trigger, r.status, r.started_at, None if r.seconds is None else round(r.seconds, 1),
             " ".join(f"{s.name}:{s.status}" for s in r.steps), r.snapshot_id, r.rows_landed,
             r.dbt_tests_failed, r.dbt_tests_warned, r.error) for r in records]
    render(columns, rows, fmt)
