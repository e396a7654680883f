"""`semibench ingest traces PATH...`: the typer command function (ingest.cli registers it), and the
one-run-per-line report `semibench loadgen` reuses after its auto-ingest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ingest.errors import IngestError
from ingest.loadgen_traces import TraceBatchSummary, ingest_traces
from semibench import paths as semibench_paths

_ACTION_WORDS = {"new": "landed", "replaced": "replaced (trace grew)", "summary_updated": "summary updated",
                 "unchanged": "already landed"}


def print_batch(summary: TraceBatchSummary) -> None:
    for run in summary.runs:
        status = run.status or "no end line (killed or still running)"
        print(f"run      {run.run_id}: {_ACTION_WORDS[run.action]}, {run.requests} requests, {status}")
    counts = ", ".join(f"{summary.count(a)} {w}" for a, w in _ACTION_WORDS.items() if summary.count(a))
    print(f"traces   {len(summary.runs)} ({counts})")
    print(f"requests {summary.requests_landed} landed")
    print(f"warehouse {summary.warehouse}")


def land_traces(paths: list[Path], warehouse: Optional[Path] = None) -> TraceBatchSummary:
    """Land into `warehouse` (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb)."""
    target = (warehouse or semibench_paths.warehouse_path()).resolve()
    return ingest_traces(paths, target)


def traces_command(
    paths: list[Path] = typer.Argument(..., help="Run directories, trace.jsonl files, a runs root or a sweep directory (searched recursively for trace.jsonl; summary.json beside a trace is landed with it)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file to land into (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb)."),
) -> None:
    """Land loadgen runs (trace.jsonl + summary.json) in raw.loadgen_runs and raw.loadgen_requests.

    All or nothing: on a bad trace it prints one `error: FILE:LINE: ...` line, lands nothing and exits 1.
    Re-ingesting adds nothing; a trace that grew since it was landed replaces that run.
    """
    try:
        summary = land_traces(paths, warehouse)
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(1)
    print(f"batch    {summary.batch_id}")
    print_batch(summary)
