"""Output of the record-batch ingest commands (`eval-events`, `vllm-results`): the same counts, in the same
layout, and the same exit codes (ingest.errors), whichever family is landed: 0 everything landed usable,
3 the batch landed but some records were quarantined (or, with --skip-bad, some files skipped), 1 nothing
was landed."""

from __future__ import annotations

import sys
from typing import Callable

import typer

from ingest.errors import EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED
from ingest.record_batch import BatchIngestError, BatchSummary

# how many rejections to list before summarising; the first one is always in the error line
MAX_LISTED_REJECTIONS = 20


def print_rejections(rejections, stream, verb: str = "rejected") -> None:
    for rejection in rejections[:MAX_LISTED_REJECTIONS]:
        print(f"  {verb} {rejection}", file=stream)
    if len(rejections) > MAX_LISTED_REJECTIONS:
        print(f"  ... and {len(rejections) - MAX_LISTED_REJECTIONS} more", file=stream)


def run_batch(ingest: Callable[[], BatchSummary], rejects_table: str, records_table: str = "") -> None:
    """Run one batch ingest and print its counts; exit 3 when records were quarantined or files skipped.
    On failure print every problem, the counts and one `error:` line on stderr and exit 1."""
    try:
        summary = ingest()
    except BatchIngestError as exc:
        print_rejections(exc.rejections, sys.stderr)
        if exc.rejections:
            print(f"accepted {exc.records_read}, rejected {len(exc.rejections)}, landed 0", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_FAILED)

    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.by_kind.items())) or "nothing new"
    print(f"batch         {summary.batch_id} ({summary.mode})")
    print(f"files         {summary.files}")
    print(f"accepted      {summary.records_read}")
    print(f"rejected      {len(summary.rejections)}")
    print(f"quarantined   {summary.records_quarantined}")
    print(f"landed        {summary.records_landed} ({kinds})")
    print(f"already there {summary.records_already_landed}")
    if summary.rejections:
        print(f"skipped (recorded in {rejects_table}):")
        print_rejections(summary.rejections, sys.stdout)
    if summary.quarantined:
        where = f" in {records_table}" if records_table else ""
        print(f"quarantined (landed{where} with their reasons, kept out of the marts):")
        print_rejections(summary.quarantined, sys.stdout, "quarantined")
    raise typer.Exit(EXIT_QUARANTINED if summary.quarantined or summary.rejections else EXIT_OK)
