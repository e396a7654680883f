"""The batch families (eval events, vLLM results, loadgen traces, InferenceX captures) are archived as they land and
`semibench rebuild` restores them: content-addressed copies under archive/<family>/<sha256>/ and an
append-only archive/<family>/ingests.jsonl, replayed in landing order with each batch's id and time."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ingest import batch_archive
from ingest.eval_events import EvalIngestError, ingest_eval_events
from ingest.loadgen_traces import ingest_traces
from ingest.vllm_results import ingest_vllm_results
from semibench_core import paths
from tests.inferencex.conftest import FIXTURES as IX_FIXTURES
from tests.inferencex.conftest import needs_shared
from tests.loadgen_warehouse.synthetic import RUN_ID, write_placement_run
from tests.ops.conftest import OpsWorkspace, query

EVAL = paths.sample_event_dir("eval_events")
VLLM = paths.sample_event_dir("vllm_results")

RAW_SQL = {
    "eval events": "select count(*) from raw.eval_events",
    "eval batches": "select count(*) from raw.eval_event_batches",
    "eval rejects": "select count(*) from raw.eval_event_rejects",
    "eval quarantined": "select count(*) from raw.eval_events where quarantine_reasons is not null",
    "vllm results": "select count(*) from raw.vllm_results",
    "vllm batches": "select count(*) from raw.vllm_result_batches",
    "loadgen runs": "select count(*) from raw.loadgen_runs",
    "loadgen requests": "select count(*) from raw.loadgen_requests",
    "inferencemax points": "select count(*) from raw.inferencemax_points",
    "inferencex held": "select count(*) from raw.inferencex_capture_records",
    "inferencex fetches": "select list((capture_id, fetched_at, was_new) order by fetched_at) from raw.inferencex_fetches",
    "inferencex lineage": "select list((record_kind, record_sha256, capture_id, fetched_at) order by record_kind, record_sha256) from raw.inferencex_records",
    # what a replay must keep as it was, not only the counts
    "eval identity": "select list((batch_id, source_file, loaded_at, record_sha256) order by record_sha256) from raw.eval_events",
    "eval batch rows": "select list((batch_id, loaded_at, mode, inputs, records_landed) order by batch_id) from raw.eval_event_batches",
    "vllm identity": "select list((batch_id, source_file, record_sha256) order by record_sha256) from raw.vllm_results",
    "loadgen run rows": "select list((run_id, trace_file, trace_sha256, summary_file, summary_sha256, batch_id, requests_landed)) from raw.loadgen_runs",
}


def raw_counts(db: Path) -> dict:
    return {k: query(db, sql)[0][0] for k, sql in RAW_SQL.items()}


def bad_shard(path: Path) -> Path:
    """One good event (the first line of a sample shard) and one line that is not JSON."""
    good = (EVAL / "shard-0.jsonl").read_text().splitlines()[0]
    path.write_text(good + "\nnot json at all\n")
    return path


def grow_run(run_dir: Path, full: Path, lines: int | None) -> Path:
    """run_dir/trace.jsonl holding the first `lines` lines of `full` (all when None), plus a summary.json."""
    run_dir.mkdir(parents=True, exist_ok=True)
    text = full.read_text().splitlines(keepends=True)
    (run_dir / "trace.jsonl").write_text("".join(text if lines is None else text[:lines]))
    (run_dir / "summary.json").write_text(json.dumps({"run_id": RUN_ID, "complete": lines is None}))
    return run_dir


@needs_shared
def test_every_family_is_restored_by_rebuild(tmp_path):
    ws = OpsWorkspace(tmp_path / "ws")
    ws.root.mkdir()
    full = write_placement_run(tmp_path / "full")
    run_dir = tmp_path / "runs" / RUN_ID

    ws.cli("ingest", "inferencemax", "--from", str(paths.sample_dir()), "--quiet", check=True)
    ws.cli("ingest", "eval-events", str(EVAL), check=True)
    ws.cli("ingest", "vllm-results", str(VLLM), check=True)
    # the same InferenceX content fetched twice: both fetches come back, each at its own time
    for when in ("2026-11-01T00:00:00", "2026-11-02T00:00:00"):
        ws.cli("ingest", "inferencex", "--from", str(IX_FIXTURES), "--fetched-at", when, check=True)
    # the line that is not JSON lands quarantined (exit 3), and must come back quarantined
    assert ws.cli("ingest", "eval-events", "--skip-bad", str(bad_shard(tmp_path / "bad.jsonl"))).returncode == 3
    ws.cli("ingest", "traces", str(grow_run(run_dir, full, 11)), check=True)  # a live run ingested early
    proc = ws.cli("ingest", "traces", str(grow_run(run_dir, full, None)), check=True)  # ... and when done
    assert "replaced (trace grew)" in proc.stdout

    before = raw_counts(ws.warehouse)
    assert before["eval quarantined"] == 1 and before["loadgen requests"] == 40
    assert before["eval events"] > 0 and before["vllm results"] > 0
    assert before["inferencex held"] > 0 and len(before["inferencex fetches"]) == 2
    logs = {f: batch_archive.read_ingest_log(ws.archive, f) for f in batch_archive.FAMILIES}
    assert [len(logs[f]) for f in batch_archive.FAMILIES] == [2, 1, 2]
    assert logs["eval_events"][1]["mode"] == "skip_bad"
    # the grown trace is new bytes: two trace copies, one summary each
    assert len({r["trace"]["sha256"] for b in logs["loadgen_traces"] for r in b["runs"]}) == 2

    with open(ws.warehouse, "r+b") as fh:
        fh.write(os.urandom(4096))
    shutil.rmtree(tmp_path / "runs")  # the original files are gone: only the archive has them
    proc = ws.cli("rebuild", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "replayed 2 eval_events batches, 1 vllm_results batches, 2 loadgen_traces batches" in proc.stdout
    assert "replayed 2 fetches of 1 InferenceX captures" in proc.stdout
    assert raw_counts(ws.warehouse) == before
    assert query(ws.warehouse, "select count(*) from fct_runs where run_id = ?", [RUN_ID]) == [(1,)]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_archiving_is_idempotent_and_read_only(tmp_path):
    wh, arch = tmp_path / "wh.duckdb", tmp_path / "archive"
    ingest_eval_events([EVAL], wh, archive_root=arch)
    ingest_vllm_results([VLLM], wh, archive_root=arch)
    stored = _files(arch) - {p for p in _files(arch) if p.name == batch_archive.INGEST_LOG}
    assert stored and all(p.stat().st_mode & 0o222 == 0 for p in stored)  # read-only (mode bits: root may write anyway)
    for p in stored:
        if p.name != "manifest.json":
            manifest = json.loads((p.parent / "manifest.json").read_text())
            assert p.parent.name == manifest["sha256"] and manifest["batch_id"].startswith(("evb-", "vrb-"))

    # the same files again, and a copy of one under another name: no new stored bytes, one more log line
    copy = tmp_path / "copy" / "renamed.jsonl"
    copy.parent.mkdir()
    shutil.copy(EVAL / "shard-0.jsonl", copy)
    again = ingest_eval_events([EVAL, copy], wh, archive_root=arch)
    ingest_vllm_results([VLLM], wh, archive_root=arch)
    assert again.records_landed == 0
    assert _files(arch) - {p for p in _files(arch) if p.name == batch_archive.INGEST_LOG} == stored
    assert len(batch_archive.read_ingest_log(arch, "eval_events")) == 2
    assert batch_archive.read_ingest_log(arch, "eval_events")[1]["files"][-1]["original"] == str(copy.resolve())

    trace_dir = tmp_path / "run"
    write_placement_run(trace_dir)
    ingest_traces([trace_dir], wh, archive_root=arch)
    n = len(_files(arch))
    ingest_traces([trace_dir], wh, archive_root=arch)
    assert len(_files(arch)) == n


def test_a_failed_strict_batch_is_neither_archived_nor_logged(tmp_path):
    wh, arch = tmp_path / "wh.duckdb", tmp_path / "archive"
    with pytest.raises(EvalIngestError, match="nothing was landed"):
        ingest_eval_events([bad_shard(tmp_path / "bad.jsonl")], wh, archive_root=arch, strict=True)
    assert batch_archive.read_ingest_log(arch, "eval_events") == []
    assert not (arch / "eval_events").exists()

    # a bad trace fails inside the landing transaction: nothing stored either
    bad = tmp_path / "bad" / "trace.jsonl"
    write_placement_run(bad.parent)
    with bad.open("a") as f:
        f.write('{"type":"request","run_id":"someone-else","request_id":"x"}\n{"type":"end"}\n')
    with pytest.raises(Exception, match="nothing was landed|run_id"):
        ingest_traces([bad.parent], wh, archive_root=arch, strict=True)
    assert batch_archive.read_ingest_log(arch, "loadgen_traces") == []
    assert not [p for p in (arch / "loadgen_traces").rglob("*") if p.is_file()] if (arch / "loadgen_traces").exists() else True
