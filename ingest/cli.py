"""`semibench ingest ...` commands. Mounted by semibench.cli with app.add_typer(ingest_app, name="ingest")."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from ingest.config import load_config
from ingest.errors import EXIT_QUARANTINED, IngestError

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


# Shared with `semibench run`, so both commands explain the two switches the same way.
STRICT_HELP = ("Refuse the whole snapshot (exit 1, nothing landed) if any point is bad, instead of landing the bad "
               "points quarantined (exit 3) and the rest normally.")
ALLOW_PARTIAL_HELP = ("Land a snapshot that lacks configured files (models x sequences x types) or has empty ones, "
                      "flagged partial: it shows in history but never becomes the latest snapshot. Without it such "
                      "a snapshot is refused, naming the files.")
_SHOWN_QUARANTINED = 5


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
             "own time, else now. Refused if later than now + 5 minutes."),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    allow_partial: bool = typer.Option(False, "--allow-partial", help=ALLOW_PARTIAL_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; print a one-line summary."),
) -> None:
    """Fetch (or read --from DIR), validate, archive and land the InferenceMAX dashboard files.

    A file that cannot be read as a JSON array of points, or a snapshot missing configured files, lands
    nothing: one `error:` line, exit 1. Bad points are landed quarantined (verbatim, with every reason,
    kept out of the marts) and the rest lands: exit 3. Everything valid: exit 0.
    """
    from ingest.inferencemax import ingest_inferencemax

    try:
        cfg = load_config(config).with_overrides(compress=compress, retention=retention)
        result = ingest_inferencemax(cfg, from_dir=from_dir, progress=not quiet,
                                     fetched_at=parse_fetched_at(fetched_at), strict=strict,
                                     allow_partial=allow_partial)
    except IngestError as exc:
        _fail(str(exc))
        return
    _print_summary(result, cfg, quiet)
    if result.records_quarantined:
        raise typer.Exit(EXIT_QUARANTINED)


def _print_summary(result, cfg, quiet: bool) -> None:
    status = "new" if result.was_new else "already landed"
    partial = f", PARTIAL ({len(result.missing_files)} configured files missing or empty)" if result.is_partial else ""
    if quiet:
        print(f"snapshot {result.snapshot_id} ({status}{partial}): {result.file_count} files, {result.record_count} points, "
              f"{result.records_quarantined} quarantined")
        return
    print(f"snapshot   {result.snapshot_id} ({status})")
    print(f"source     {result.source}")
    print(f"fetched at {result.fetched_at.strftime('%Y-%m-%d %H:%M:%S')} UTC")
    print(f"files      {result.file_count}")
    print(f"points     {result.record_count}")
    print(f"quarantined {result.records_quarantined}" + (" (landed, kept out of the marts: stg_inferencemax__points_quarantine)"
                                                         if result.records_quarantined else ""))
    for line in result.quarantined[:_SHOWN_QUARANTINED]:
        print(f"  {line}")
    if len(result.quarantined) > _SHOWN_QUARANTINED:
        print(f"  ... and {len(result.quarantined) - _SHOWN_QUARANTINED} more")
    if result.is_partial:
        print(f"partial    yes, never the latest snapshot; missing or empty: {', '.join(result.missing_files)}")
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
