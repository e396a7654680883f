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
    from semibench_core import paths
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
        from semibench.run_summary import print_summary
        print_summary(outcome.summary, outcome.record)
    if outcome.exit_code:
        _fail(outcome.error or "rebuild failed", outcome.exit_code)


def check_command() -> None:
    """Check the build warehouse and the published copy the same way `semibench publish` checks a copy before it swaps it in (opens, is a complete semibench warehouse, last dbt build succeeded, every table read in full, key marts not implausibly empty); the archive (every InferenceMAX snapshot file and every batch file re-hashed against its sha256, every logged batch's files present); and the run lock. Exit 1 if any of them fails."""
    from semibench_core import paths
    from semibench.ops import lock, runlog
    from semibench.ops.health import (WarehouseBusy, WarehouseCorrupt, check_warehouse, verify_archive,
                                      verify_batch_archive)
    from semibench.ops.verify import WarehouseUnfit, verify_warehouse

    bad = False
    warehouse, published = paths.warehouse_path(), paths.published_path()
    try:
        rows = check_warehouse(warehouse)
        if rows:
            verify_warehouse(warehouse, dbt_target=paths.dbt_target_dir())
        print(f"warehouse  ok: {warehouse} ({sum(rows.values()):,} raw rows in {len(rows)} tables)"
              if rows else f"warehouse  none yet: {warehouse}")
    except WarehouseCorrupt as exc:
        bad = True
        print(f"warehouse  CORRUPT: {exc}")
    except WarehouseBusy as exc:
        print(f"warehouse  busy: {exc}")
    except WarehouseUnfit as exc:
        bad = True
        print(f"warehouse  NOT PUBLISHABLE: {exc}")
    if published.exists():
        try:
            tables = verify_warehouse(published, require_record=False)
            print(f"published  ok: {published} ({len(tables)} tables read in full)")
        except WarehouseUnfit as exc:
            bad = True
            print(f"published  DAMAGED: {exc}; `semibench publish` copies the last good build again")
    else:
        print(f"published  none yet: {published}")
    report = verify_archive(paths.archive_dir())
    if report.problems:
        bad = True
        print(f"archive    DAMAGED: {len(report.problems)} of {report.snapshots} snapshots")
        for p in report.problems:
            print(f"  {p}")
    else:
        print(f"archive    ok: {report.snapshots} snapshots, {report.files} files match their manifests")
    batches = verify_batch_archive(paths.archive_dir())
    if batches.problems:
        bad = True
        print(f"batches    DAMAGED: {len(batches.problems)} problems in the archive of {batches.batches} logged batches")
        for p in batches.problems:
            print(f"  {p}")
    else:
        print(f"batches    ok: {batches.batches} logged batches, {batches.files} archived files match their sha256")
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


batches_app = typer.Typer(
    context_settings={"help_option_names": ["-h", "--help"]},
)


@batches_app.callback(invoke_without_command=True)
def batches_command(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", "-f", help="Output format of the listing: table, csv or json."),
    retired: bool = typer.Option(False, "--retired", help="List the retired batches (from <archive>/retirements.jsonl) instead of the landed ones."),
) -> None:
    """Landed batches of every family (InferenceMAX snapshots, InferenceX captures, eval-events and vLLM-results batches, loadgen runs), and retiring a bad one. Without a command: list the landed batches of the build warehouse, oldest first: family, id, landed time (UTC), rows, quarantined rows (0 where the family marks none). `semibench batches retire ID --why TEXT` retires one."""
    if ctx.invoked_subcommand is not None:
        return
    import duckdb

    from ingest import batch_archive
    from semibench_core import paths
    from semibench.ops.batches import list_batches
    from semibench.query import render

    if fmt not in ("table", "csv", "json"):
        _fail(f"unknown format {fmt!r}; choose one of table, csv, json")
    if retired:
        events = batch_archive.retirements(paths.archive_dir()).values()
        columns = ["family", "batch_id", "retired_at", "by", "why", "rows"]
        render(columns, [(e.get("family"), e.get("id"), e.get("retired_at"), e.get("by"), e.get("why"), e.get("rows"))
                         for e in events], fmt)
        return
    warehouse = paths.warehouse_path()
    if not warehouse.exists():
        _fail(f"{warehouse}: no warehouse yet (nothing landed)")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            batches = list_batches(con)
        finally:
            con.close()
    except duckdb.Error as exc:
        _fail(f"{warehouse}: cannot read the build warehouse ({' '.join(str(exc).split())[:200]})")
    render(["family", "batch_id", "landed_at", "rows", "quarantined"],
           [(b.family, b.batch_id, b.landed_at, b.rows, b.quarantined) for b in batches], fmt)


@batches_app.command("retire")
def retire_command(
    batch_id: str = typer.Argument(..., metavar="ID", help="Snapshot id or batch id, as `semibench batches` lists it."),
    why: str = typer.Option(..., "--why", help="Why it is retired; kept in <archive>/retirements.jsonl with the time, user and host."),
) -> None:
    """Retire a landed batch: delete its rows from every raw table of its family in one transaction, and log it in <archive>/retirements.jsonl so `semibench rebuild` never replays it (the archived files stay). Takes the run lock (exit 75 if a run holds it). Retiring an already retired id does nothing. Run `semibench build` afterwards to rebuild the marts and publish."""
    from semibench_core import paths
    from semibench.ops.batches import BatchError, retire
    from semibench.ops.guard import EXIT_LOCKED
    from semibench.ops.lock import LockBusy
    from semibench.ops.exclusive import take_run_lock

    try:
        lock = take_run_lock("retire")
    except LockBusy as exc:
        _fail(str(exc), EXIT_LOCKED)
    with lock:
        try:
            done = retire(paths.warehouse_path(), paths.archive_dir(), batch_id, why)
        except BatchError as exc:
            _fail(str(exc))
    if done.batch is None:
        prev = done.previous or {}
        print(f"{batch_id}: already retired at {prev.get('retired_at')} by {prev.get('by')} ({prev.get('why')}); nothing to do")
        return
    removed = ", ".join(f"{t} {n}" for t, n in done.deleted.items() if n) or "no rows"
    print(f"retired {done.batch.family} {batch_id}: removed {removed}; logged in "
          f"{paths.archive_dir() / 'retirements.jsonl'}")
    print("run `semibench build` to rebuild the marts and publish without it")
