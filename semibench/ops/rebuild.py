"""Rebuild the warehouse from the archive, the source of truth.

    set_aside  move the current build warehouse (and its WAL) to `<name>.corrupt-<UTC time>` (or
               `.replaced-<time>` with --force on a healthy file), to be inspected; only the newest
               KEEP_SET_ASIDE such copies are kept
    replay     ingest every archived snapshot into a fresh warehouse, in fetch-log order with each fetch's
               original time, so snapshot recency, `latest` and coverage come out as they were; then every
               logged batch of the batch families (eval events, vLLM results, loadgen traces;
               ingest.batch_archive), in landing order; only what was landed into THIS warehouse
               (a batch landed with --warehouse OTHER is not replayed) and not retired
               (`semibench batches retire`), from the archived files, under each batch's
               original id, time, mode (strict / --skip-bad) and file paths; and every logged fetch of an
               InferenceX capture (<archive>/inferencex/fetches.jsonl) at its own time, under the same rules
    build, publish, describe (+ any later pipeline step): the pipeline's own steps after ingest

A marker file `<warehouse>.rebuilding` exists from set_aside until replay finished: if the rebuild is killed
half way, `semibench run` refuses the partial warehouse instead of building on it. The run log is mirrored
back from its JSONL file.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from ingest import archive, batch_archive, inferencex_archive
from ingest.config import load_config
from ingest.errors import IngestError
from ingest.warehouse_identity import landed_here
from semibench_core import paths
from semibench.ops.health import WarehouseCorrupt, check_warehouse, rebuild_marker
from semibench.pipeline import AFTER_INGEST, OnStep, PipelineState, PipelineSummary, run_steps


def replay_plan(archive_root: Path, warehouse: Path | None = None) -> list[tuple[str, datetime]]:
    """(snapshot id, fetch time) for every fetch of a snapshot still archived, oldest first; a snapshot
    missing from the fetch log (log lost or truncated) is replayed once at its manifest's time. With
    `warehouse`: only fetches landed into it, and no retired snapshot."""
    retired = batch_archive.retirements(archive_root) if warehouse is not None else {}
    present = set(archive.list_snapshot_ids(archive_root)) - set(retired)
    plan: dict[tuple[str, str], datetime] = {}
    logged = set()
    for event in archive.read_fetch_log(archive_root):
        try:
            sid, when = event["snapshot_id"], archive.parse_time(event["fetched_at"])
        except (KeyError, TypeError, ValueError):
            continue
        logged.add(sid)
        if sid in present and landed_here(event, warehouse):
            plan[(sid, archive.format_time(when))] = when
    for sid in present - logged:
        manifest = archive.read_manifest(archive.source_root(archive_root) / sid)
        when = archive.parse_time(manifest["fetched_at"])
        plan[(sid, archive.format_time(when))] = when
    return sorted(((sid, when) for (sid, _), when in plan.items()), key=lambda p: (p[1], p[0]))


def replay_batch(archive_root: Path, event: dict, warehouse: Path) -> str:
    """Land one logged batch again from its archived files; a one-line account. Raises IngestError (strict,
    like the original ingest: a missing or damaged archived file, or a batch that no longer lands)."""
    from ingest.batch_archive import Replay
    from ingest.eval_events import ingest_eval_events
    from ingest.loadgen_traces import ingest_traces
    from ingest.vllm_results import ingest_vllm_results

    family, batch_id = event["family"], event.get("batch_id")
    try:
        loaded_at = batch_archive.naive_utc(archive.parse_time(event["ingested_at"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise IngestError(f"{batch_archive.family_root(archive_root, family) / batch_archive.INGEST_LOG}: "
                          f"batch {batch_id}: unreadable entry ({exc})") from None
    origin: dict[str, str] = {}
    summaries: dict[str, str] = {}

    def fetch(entry: dict) -> Path:
        path = batch_archive.stored_path(archive_root, family, entry).resolve()
        origin[str(path)] = entry.get("original") or str(path)
        return path

    if family == "loadgen_traces":
        files = []
        metrics: dict[str, str] = {}
        for run in event.get("runs") or []:
            trace = fetch(run["trace"])
            if run.get("summary"):
                summaries[str(trace)] = str(fetch(run["summary"]))
            if run.get("server_metrics"):
                metrics[str(trace)] = str(fetch(run["server_metrics"]))
            files.append(trace)
        if not files:
            return f"{family} {batch_id}: no runs"
        sweeps = {s["sweep_id"]: str(fetch(s["file"])) for s in event.get("sweeps") or []}
        replay = Replay(batch_id, loaded_at, list(event.get("paths") or []), origin, summaries, metrics, sweeps)
        result = ingest_traces(files, warehouse, replay=replay)
        return f"{family} {batch_id}: {len(result.runs)} runs, {result.requests_landed} requests"
    files = [fetch(entry) for entry in event.get("files") or []]
    if not files:
        return f"{family} {batch_id}: no files"
    ingest = {"eval_events": ingest_eval_events, "vllm_results": ingest_vllm_results}[family]
    replay = Replay(batch_id, loaded_at, list(event.get("paths") or []), origin)
    summary = ingest(files, warehouse, skip_bad=event.get("mode") == "skip_bad", replay=replay)
    return f"{family} {batch_id}: {summary.records_landed} records"


def needs_rebuild(warehouse: Path) -> str | None:
    """Why the warehouse must be rebuilt (one line), or None when it is healthy."""
    try:
        check_warehouse(warehouse)
    except WarehouseCorrupt as exc:
        return str(exc)
    return None


def set_aside(warehouse: Path, label: str) -> Path | None:
    """Move the warehouse (and its WAL) out of the way, keeping it for inspection."""
    if not warehouse.exists():
        return None
    when = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = warehouse.with_name(f"{warehouse.name}.{label}-{when}")
    os.replace(warehouse, target)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    return target


# Set-aside copies kept beside the warehouse (newest first); older ones are deleted by the next rebuild, so
# repeated rebuilds of a large warehouse cannot fill the disk.
KEEP_SET_ASIDE = 3
_SET_ASIDE = re.compile(r"\.(corrupt|replaced)-(\d{8}T\d{6}Z)$")


def prune_set_aside(warehouse: Path, keep: int = KEEP_SET_ASIDE) -> list[Path]:
    """Delete all but the `keep` newest `<warehouse>.corrupt-*` / `.replaced-*` copies (and their WALs)."""
    if not warehouse.parent.is_dir():
        return []
    copies = []
    for path in warehouse.parent.iterdir():
        rest = path.name[len(warehouse.name):] if path.name.startswith(warehouse.name) else ""
        if m := _SET_ASIDE.fullmatch(rest):
            copies.append((m.group(2), path.name, path))
    removed = []
    for _, _, path in sorted(copies, reverse=True)[keep:]:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        removed.append(path)
    return removed


def rebuild_warehouse(*, config_path: Path | None = None, warehouse: Path | None = None,
                      published: Path | None = None, archive_root: Path | None = None, progress: bool = True,
                      on_step: OnStep | None = None, say=print) -> PipelineSummary:
    warehouse = Path(warehouse or paths.warehouse_path())
    archive_root = Path(archive_root or paths.archive_dir())
    # A rebuild must never delete from the source of truth, whatever retention the config asks for.
    config = load_config(config_path)
    config = replace(config, archive=replace(config.archive, retention=None))
    state = PipelineState(source="archive", warehouse=warehouse, published=published, archive_root=archive_root,
                          progress=progress, config_path=config_path)

    def step_set_aside(state: PipelineState) -> str:
        marker = rebuild_marker(warehouse)
        incomplete = marker.exists()
        try:
            check_warehouse(warehouse)
            healthy = True
        except WarehouseCorrupt:
            healthy = False
        if not (replay_plan(archive_root, warehouse) or batch_archive.logged_batches(archive_root, warehouse)
                or inferencex_archive.logged_captures(archive_root, warehouse)):
            raise IngestError(f"{archive_root}: no archived snapshots, captures or batches to rebuild from")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        moved = set_aside(warehouse, "replaced" if healthy and not incomplete else "corrupt")
        if moved:
            say(f"moved {warehouse} aside to {moved}")
        for old in prune_set_aside(warehouse):
            say(f"removed an old set-aside copy {old}")
        return "success"

    def step_replay(state: PipelineState) -> str:
        from ingest.inferencemax import ingest_inferencemax
        from ingest.inferencex import ingest_inferencex

        plan = replay_plan(archive_root, warehouse)
        landed = 0
        for i, (sid, when) in enumerate(plan, 1):
            result = ingest_inferencemax(config, from_dir=archive.source_root(archive_root) / sid, warehouse=warehouse,
                                         archive_root=archive_root, progress=False, fetched_at=when)
            landed += result.record_count if result.was_new else 0
            state.summary.snapshot_id, state.summary.snapshot_was_new = result.snapshot_id, result.was_new
        state.summary.rows_landed = landed
        # A rebuild restores data already seen: nothing here is news worth a coverage/big-change alert.
        state.summary.snapshot_was_new = False
        say(f"replayed {len(plan)} fetches of {len({s for s, _ in plan})} archived snapshots, {landed:,} points")
        captures = inferencex_archive.logged_captures(archive_root, warehouse)
        for cid, when in captures:
            ingest_inferencex(config, from_dir=inferencex_archive.root(archive_root) / cid, fetched_at=when,
                              warehouse=warehouse, archive_root=archive_root)
        if captures:
            say(f"replayed {len(captures)} fetches of {len({c for c, _ in captures})} InferenceX captures")
        batches = batch_archive.logged_batches(archive_root, warehouse)
        for event in batches:
            replay_batch(archive_root, event, warehouse)
        if batches:
            counts = {f: sum(1 for e in batches if e["family"] == f) for f in batch_archive.FAMILIES}
            say("replayed " + ", ".join(f"{n} {f} batches" for f, n in counts.items() if n))
        rebuild_marker(warehouse).unlink(missing_ok=True)
        return "success"

    steps = [("set_aside", step_set_aside), ("replay", step_replay), *AFTER_INGEST]
    return run_steps(steps, state, on_step)
