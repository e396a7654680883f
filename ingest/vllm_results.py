"""Land benchmark-run results in raw.vllm_results: saved vLLM `bench serve` results (one run each, with
per-request arrays when saved with --save-detailed) and InferenceMAX run aggregates (one run per element).

Same policies and output as `ingest eval-events` (ingest.record_batch): by default a run with problems
lands quarantined (raw.vllm_results.quarantine_reasons, out of the marts) and an unreadable file fails
the batch; `strict` lands nothing on any problem; `skip_bad` also records unreadable files in
raw.vllm_result_rejects and lands the rest. Records are content-addressed, so re-ingesting lands nothing
new. See docs/vllm_results.md.
"""

from __future__ import annotations

from pathlib import Path

from ingest.batch_archive import Replay
from ingest.record_batch import (BatchIngestError, BatchSummary, BatchTables, canonical_sha256, discover,
                                 join_reasons, land_batch, policy_of)
from ingest.vllm_readers import RESULT_SUFFIXES, ResultRecord, read_file

TABLES = BatchTables(records="raw.vllm_results", batches="raw.vllm_result_batches",
                     rejects="raw.vllm_result_rejects", batch_prefix="vrb", family="vllm_results")


class VllmIngestError(BatchIngestError):
    """Nothing was landed. The message is one line; `rejections` holds every per-record problem."""


def _row(rec: ResultRecord) -> dict[str, str]:
    return {
        "source_file": str(rec.source_file),
        "source_format": rec.source_format,
        "source_locator": rec.source_locator,
        "record_kind": rec.record_kind,
        "record_sha256": canonical_sha256(rec.record),
        "record": rec.record_text,
        "quarantine_reasons": join_reasons(rec.reasons),
        "ingest_notes": join_reasons(rec.notes),
    }


def ingest_vllm_results(paths: list[Path], warehouse: Path, skip_bad: bool = False, *, strict: bool = False,
                        archive_root: Path | None = None, replay: Replay | None = None) -> BatchSummary:
    """Read every result file under `paths` and land the batch atomically, archiving its files under
    archive_root (default: the configured archive). Raises VllmIngestError
    (nothing landed) when the policy (ingest.record_batch.policy_of) refuses the batch. A batch of
    valid files holding no runs (empty aggregate arrays) lands an empty
    batch; finding no files at all is an error (most likely a wrong path)."""
    if not paths:
        raise VllmIngestError("no input paths given")
    files, rejections = discover(paths, RESULT_SUFFIXES)
    if not files and not rejections:
        raise VllmIngestError(f"no result files (*.json, *.jsonl) found in {', '.join(map(str, paths))}")
    records: list[ResultRecord] = []
    for path in files:
        got, bad = read_file(path)
        records.extend(got)
        rejections.extend(bad)
    return land_batch(TABLES, paths, warehouse, file_count=len(files), rows=[_row(r) for r in records],
                      rejections=rejections, policy=policy_of(strict, skip_bad, VllmIngestError), error=VllmIngestError, files=files,
                      archive_root=archive_root, replay=replay)
