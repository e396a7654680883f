"""`semibench ingest inferencex`: the typer command function (semibench/cli.py registers it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Optional

import typer

from ingest.errors import EXIT_FAILED, EXIT_QUARANTINED, IngestError


def inferencex_command(
    from_dir: Optional[Path] = typer.Option(
        None, "--from", metavar="DIR",
        help="Read a saved capture instead of fetching: the fixture layout (one file per route: benchmarks.json, "
             "benchmarks-history.json, availability.json, evaluations.json, reliability.json, workflow-info.json), "
             "one of this ingester's archive capture dirs (replayed with its original source and time), or an "
             "InferenceX db-dump dir (configs.json, workflow_runs.json, benchmark_results.json, ...)."),
    config: Optional[Path] = typer.Option(
        None, "--config", metavar="PATH",
        help="YAML config; its 'inferencex:' section sets base_url, models, sequences, routes, timeout_s, retries, "
             "backoff_s and concurrency (unset keys keep the defaults in ingest/default_config.yaml)."),
    model: Optional[list[str]] = typer.Option(
        None, "--model", metavar="NAME",
        help="Fetch this model (display name, e.g. DeepSeek-R1-0528) instead of the configured ones; repeatable."),
    date: Optional[str] = typer.Option(
        None, "--date", metavar="YYYY-MM-DD",
        help="Fetch `benchmarks` as of this date (the API's date= parameter) instead of today's latest."),
    fetched_at: Optional[str] = typer.Option(
        None, "--fetched-at", metavar="ISO-TIME",
        help="When this capture was taken (no zone means UTC). Default: now, or an archive capture's own time."),
    warehouse: Optional[Path] = typer.Option(
        None, "--warehouse", metavar="PATH",
        help="DuckDB file to land into (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb)."),
) -> None:
    """Fetch (or read --from DIR) one InferenceX capture, archive it content-addressed and land it raw.

    Exit 0: landed. Exit 3: landed, but some records have problems (see stg_inferencex__quarantine).
    Exit 1: a request or file failed; one `error:` line names it and nothing was landed.
    """
    from ingest.cli import parse_fetched_at
    from ingest.config import load_config
    from ingest.inferencex import ingest_inferencex

    try:
        if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise IngestError(f"--date {date!r}: expected YYYY-MM-DD")
        if from_dir is not None and (model or date):
            raise IngestError("--model and --date select what to fetch; they cannot be combined with --from")
        result = ingest_inferencex(load_config(config), from_dir=from_dir, models=model, date=date,
                                   fetched_at=parse_fetched_at(fetched_at), warehouse=warehouse)
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_FAILED)
    status = "new" if result.was_new else "already landed"
    print(f"capture       {result.capture_id} ({status})")
    print(f"source        {result.source} ({result.source_kind})")
    print(f"fetched at    {result.fetched_at.strftime('%Y-%m-%d %H:%M:%S')} UTC")
    print(f"files         {result.files}")
    for route, n in sorted(result.routes.items()):
        print(f"  {route:<22} {n} records")
    print(f"records       {result.records_read} read, {result.records_new} new")
    print(f"records_quarantined {result.records_quarantined}")
    print(f"archive       {result.archive_path}{'' if result.archive_was_new else ' (already archived)'}")
    if result.records_quarantined:
        print(f"warning: {result.records_quarantined} record(s) landed with problems; "
              f"see stg_inferencex__quarantine after `semibench build`", file=sys.stderr)
        raise typer.Exit(EXIT_QUARANTINED)
