"""`semibench ingest traces PATH...`: the typer command function (ingest.cli registers it), and the
one-run-per-line report `semibench loadgen` reuses after its auto-ingest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ingest.batch_cli import print_rejections
from ingest.errors import EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED, IngestError
from ingest.loadgen_traces import TraceBatchSummary, ingest_traces
from semibench_core import paths as semibench_paths

_ACTION_WORDS = {"new": "landed", "replaced": "replaced (trace grew)", "summary_updated": "summary updated",
                 "unchanged": "already landed"}


def print_batch(summary: TraceBatchSummary) -> None:
    for run in summary.runs:
        status = run.status or "no end line (killed or still running)"
        flagged = f", {run.records_quarantined} quarantined" if run.records_quarantined else ""
        print(f"run      {run.run_id}: {_ACTION_WORDS[run.action]}, {run.requests} requests{flagged}, {status}")
    counts = ", ".join(f"{summary.count(a)} {w}" for a, w in _ACTION_WORDS.items() if summary.count(a))
    print(f"traces   {len(summary.runs)} ({counts})")
    print(f"requests {summary.requests_landed} landed")
    if summary.sweeps:
        print(f"sweeps   {', '.join(summary.sweeps)} (sweep.json landed)")
    if summary.server_metrics:
        print(f"server metrics {summary.server_metrics} samples landed")
    print(f"quarantined {summary.records_quarantined}")
    if summary.quarantined:
        print("quarantined (landed with their reasons, kept out of the marts; see stg_loadgen__quarantine):")
        print_rejections(summary.quarantined, sys.stdout, "quarantined")
    print(f"warehouse {summary.warehouse}")


def land_traces(paths: list[Path], warehouse: Optional[Path] = None, strict: bool = False) -> TraceBatchSummary:
    """Land into `warehouse` (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb)."""
    target = (warehouse or semibench_paths.warehouse_path()).resolve()
    return ingest_traces(paths, target, strict=strict)


def traces_command(
    paths: list[Path] = typer.Argument(..., help="Run directories, trace.jsonl files, a runs root or a sweep directory (searched recursively for trace.jsonl; summary.json beside a trace is landed with it)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file to land into (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb)."),
    strict: bool = typer.Option(False, "--strict", help="All or nothing: any record with problems (a bad request line, a half-written last line, a bad end line or summary.json) fails the whole batch and nothing is landed (the default lands it quarantined and lands the rest)."),
) -> None:
    """Land loadgen runs (trace.jsonl + summary.json) in raw.loadgen_runs and raw.loadgen_requests.

    A record with problems (request line, end line, summary.json) lands verbatim, quarantined with every
    reason, out of the marts (stg_loadgen__quarantine); the rest of its run lands. A file that is not a
    trace (empty, not UTF-8, no run header) fails the batch with one `error: FILE...` line. Exit codes:
    0 all landed, 3 landed with records quarantined, 1 nothing landed. Re-ingesting adds nothing; a trace
    that grew since it was landed replaces that run.
    """
    try:
        summary = land_traces(paths, warehouse, strict)
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_FAILED)
    print(f"batch    {summary.batch_id}{' (strict)' if strict else ''}")
    print_batch(summary)
    raise typer.Exit(EXIT_QUARANTINED if summary.records_quarantined else EXIT_OK)
