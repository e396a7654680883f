"""`semibench ingest ...` commands. Mounted by semibench.cli with app.add_typer(ingest_app, name="ingest")."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from ingest.config import load_config
from ingest.errors import IngestError

ingest_app = typer.Typer(
    help="Fetch, validate, archive and land raw benchmark data in the warehouse.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@ingest_app.callback()
def _group() -> None:
    """Fetch, validate, archive and land raw benchmark data in the warehouse."""
    # A callback keeps this a command group even with a single command, so `inferencemax` is always a
    # subcommand, whether the app runs on its own (tests) or mounted as `semibench ingest`.


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(1)


def parse_fetched_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise IngestError(f"--fetched-at {text!r}: not an ISO date/time such as 2025-10-23T06:00:00Z") from None


@ingest_app.command("inferencemax")
def inferencemax(
    config: Optional[Path] = typer.Option(
        None, "--config", metavar="PATH",
        help="YAML config with 'inferencemax:' and 'archive:' sections; any key not set keeps its built-in "
             "default (see ingest/default_config.yaml)."),
    from_dir: Optional[Path] = typer.Option(
        None, "--from", metavar="DIR",
        help="Ingest a local directory instead of fetching: served names (gpt-oss-120b-1k_8k-e2e.json), the "
             "old pipeline's wrapped files (gpt-oss-120b_1k_8k_e2e.json) or an archive snapshot directory."),
    compress: Optional[bool] = typer.Option(
        None, "--compress/--no-compress",
        help="Gzip the archived files (overrides archive.compress from the config)."),
    retention: Optional[int] = typer.Option(
        None, "--retention", metavar="N",
        help="Keep only the newest N snapshots, in the archive and the raw tables (overrides archive.retention)."),
    fetched_at: Optional[str] = typer.Option(
        None, "--fetched-at", metavar="ISO-TIME",
        help="When this capture was taken (e.g. 2025-10-23T06:00:00Z; no zone means UTC). Snapshot order, and so "
             "'latest' and coverage checks, follow this time. Default: an archive snapshot's or legacy file's "
             "own time, else now."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; print a one-line summary."),
) -> None:
    """Fetch (or read --from DIR), validate, archive and land the InferenceMAX dashboard files.

    All files or none: on any problem it prints one `error:` line, lands nothing and exits 1.
    """
    from ingest.inferencemax import ingest_inferencemax

    try:
        cfg = load_config(config).with_overrides(compress=compress, retention=retention)
        result = ingest_inferencemax(cfg, from_dir=from_dir, progress=not quiet,
                                     fetched_at=parse_fetched_at(fetched_at))
    except IngestError as exc:
        _fail(str(exc))
        return
    status = "new" if result.was_new else "already landed"
    if quiet:
        print(f"snapshot {result.snapshot_id} ({status}): {result.file_count} files, {result.record_count} points")
        return
    print(f"snapshot   {result.snapshot_id} ({status})")
    print(f"source     {result.source}")
    print(f"fetched at {result.fetched_at.strftime('%Y-%m-%d %H:%M:%S')} UTC")
    print(f"files      {result.file_count}")
    print(f"points     {result.record_count}")
    print(f"hwKeys     {', '.join(result.hw_keys) or '-'}")
    print(f"archive    {result.archive_path}{'' if result.archive_was_new else ' (already archived)'}")
    if result.snapshot_id in result.expired:
        # Possible when importing an old capture (e.g. a legacy archive) with a retention limit.
        print(f"retention  this snapshot is older than the newest {cfg.archive.retention} and was removed again")
    older = [s for s in result.expired if s != result.snapshot_id]
    if older:
        print(f"retention  removed {len(older)} older snapshot(s): {', '.join(older)}")


# Registered here rather than decorated in eval_cli so each ingester module stays importable on its own.
from ingest.eval_cli import eval_events_command  # noqa: E402

ingest_app.command("eval-events")(eval_events_command)

from ingest.vllm_cli import vllm_results_command  # noqa: E402

ingest_app.command("vllm-results")(vllm_results_command)

from ingest.loadgen_cli import traces_command  # noqa: E402

ingest_app.command("traces")(traces_command)
