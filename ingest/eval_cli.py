"""`semibench ingest eval-events PATH...`: the typer command function (the main CLI registers it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ingest.eval_events import EvalIngestError, ingest_eval_events
from semibench import paths as semibench_paths

# how many rejections to list before summarising; the first one is always in the error line
MAX_LISTED_REJECTIONS = 20


def _print_rejections(rejections, stream) -> None:
    for rejection in rejections[:MAX_LISTED_REJECTIONS]:
        print(f"  rejected {rejection}", file=stream)
    if len(rejections) > MAX_LISTED_REJECTIONS:
        print(f"  ... and {len(rejections) - MAX_LISTED_REJECTIONS} more", file=stream)


def eval_events_command(
    paths: list[Path] = typer.Argument(..., help="JSONL logs, JSON arrays, master_database.json files, or directories of them (searched recursively for *.jsonl, *.ndjson, *.json)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Land the valid records and record rejected ones in raw.eval_event_rejects, instead of landing nothing."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file to land into (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb)."),
) -> None:
    """Land tool-use evaluation logs (per-test events and legacy master_database.json cells) in raw.eval_events."""
    target = (warehouse or semibench_paths.warehouse_path()).resolve()
    try:
        summary = ingest_eval_events(paths, target, skip_bad=skip_bad)
    except EvalIngestError as exc:
        _print_rejections(exc.rejections, sys.stderr)
        if exc.rejections:
            print(f"accepted {exc.records_read}, rejected {len(exc.rejections)}, landed 0", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(1)

    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.by_kind.items())) or "nothing new"
    print(f"batch         {summary.batch_id} ({summary.mode})")
    print(f"files         {summary.files}")
    print(f"accepted      {summary.records_read}")
    print(f"rejected      {len(summary.rejections)}")
    print(f"landed        {summary.records_landed} ({kinds})")
    print(f"already there {summary.records_already_landed}")
    if summary.rejections:
        print("skipped (recorded in raw.eval_event_rejects):")
        _print_rejections(summary.rejections, sys.stdout)
