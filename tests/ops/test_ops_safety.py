"""Issue 10, operations: a corrupt build is never published, batches can be retired (and rebuild honours
it), writing commands share the run lock, and a killed run never leaves its dbt child building."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import duckdb
import pytest

from semibench.ops import lock
from tests.ops.conftest import query, sha256


def one_error_line(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.stderr.startswith("error: ") and len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


# --- publish verifies before it replaces --------------------------------------------------------------

def _flip_bytes_in_a_data_block(warehouse) -> None:
    """Overwrite 16 bytes in the middle of a block that holds raw.inferencemax_points data: the file still
    opens, only a scan of that table meets the bad checksum."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        block_size = con.execute("select block_size from pragma_database_size()").fetchone()[0]
        block = con.execute("""select max(block_id) from pragma_storage_info('raw.inferencemax_points')
                               where column_name = 'record' and persistent and block_id >= 0""").fetchone()[0]
    finally:
        con.close()
    offset = 3 * 4096 + block * block_size + block_size // 2  # after the three file headers
    with open(warehouse, "r+b") as fh:
        fh.seek(offset)
        data = fh.read(16)
        fh.seek(offset)
        fh.write(bytes(b ^ 0xFF for b in data))


@pytest.mark.parametrize("damage", ["subtle", "truncated"])
def test_a_corrupt_build_is_never_published(built, damage):
    published_sha = sha256(built.published)
    if damage == "subtle":
        _flip_bytes_in_a_data_block(built.warehouse)
    else:
        os.truncate(built.warehouse, built.warehouse.stat().st_size // 2)
    proc = built.cli("publish")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    line = one_error_line(proc)
    assert "not published" in line and str(built.warehouse) in line
    assert sha256(built.published) == published_sha
    assert sorted(p.name for p in built.published.parent.iterdir()) == ["semibench.duckdb"]
    check = built.cli("check")
    assert check.returncode == 1 and "warehouse  CORRUPT" in check.stdout
    assert any(line.startswith("published  ok:") for line in check.stdout.splitlines())


def test_check_finds_a_damaged_published_copy_and_batch_archive(built):
    _flip_bytes_in_a_data_block(built.published)
    stored = next(p for p in (built.archive / "eval_events").glob("*/*") if p.name != "manifest.json")
    os.chmod(stored, 0o644)
    stored.write_bytes(stored.read_bytes() + b"\n")
    proc = built.cli("check")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert any(line.startswith("published  DAMAGED:") and "raw.inferencemax_points" in line for line in lines)
    assert any(line.startswith("batches    DAMAGED: 1 problems") for line in lines)
    assert any(str(stored) in line and "sha256 does not match" in line for line in lines)


# --- the run lock covers every writing command ---------------------------------------------------------

def test_ingest_build_publish_and_retire_exit_75_while_a_run_holds_the_lock(fresh, tmp_path):
    held = lock.RunLock(fresh.lock).acquire(run_id="test-holder", trigger="manual")
    try:
        for args in (["ingest", "vllm-results", str(tmp_path)], ["ingest", "inferencemax"], ["build"], ["publish"],
                     ["batches", "retire", "x", "--why", "test"]):
            proc = fresh.cli(*args)
            assert proc.returncode == 75, (args, proc.stdout, proc.stderr)
            assert "test-holder" in one_error_line(proc)
        assert fresh.cli("ingest", "traces", "--help").returncode == 0  # help never waits for the lock
    finally:
        held.release()
    assert not fresh.warehouse.exists()


# --- a killed run leaves no dbt child behind ----------------------------------------------------------

def _wait_for(predicate, what: str, bound_s: float = 600):
    deadline = time.monotonic() + bound_s  # a bound against hanging forever, not a timing assertion
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_kill_9_of_the_run_alone_mid_build_then_the_next_run_succeeds(built):
    log = built.root / "paused.log"
    proc = built.popen("run", "--once", "--no-loadgen-demo", "--no-report", env={"SEMIBENCH_FAULT": "pause:dbt"},
                       log=log)
    _wait_for(lambda: "fault: paused at dbt" in log.read_text() or proc.poll() is not None, "the pause in dbt build")
    assert proc.poll() is None, log.read_text()
    holder = lock.inspect(built.lock).holder
    assert holder.pid == proc.pid and holder.child_pgid, holder
    dbt_group = holder.child_pgid
    assert lock.group_members(dbt_group), "dbt should be running while the run is paused"

    os.kill(proc.pid, signal.SIGKILL)  # the run alone: its dbt child leads a group of its own
    assert proc.wait() == -signal.SIGKILL

    nxt = built.cli("run", "--once", "--synthetic", "--no-loadgen-demo", "--no-report")
    assert nxt.returncode == 0, nxt.stdout + nxt.stderr
    assert "took over a stale lock" in nxt.stderr
    assert lock.group_members(dbt_group) == []
    statuses = [r["status"] for r in built.runs()]
    assert statuses[-2:] == ["interrupted", "success"]


# --- batches: list, retire, rebuild without them -------------------------------------------------------

def test_batches_lists_every_family(built_base):
    proc = built_base.cli("batches", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    batches = json.loads(proc.stdout)
    assert {b["family"] for b in batches} == {"inferencemax", "eval_events", "vllm_results", "loadgen"}
    assert all(b["rows"] > 0 and b["quarantined"] == 0 for b in batches if b["family"] != "loadgen" or b["rows"])
    snapshot = query(built_base.warehouse, "select snapshot_id from raw.inferencemax_snapshots")[0][0]
    assert [b["rows"] for b in batches if b["batch_id"] == snapshot] == [
        query(built_base.warehouse, "select count(*) from raw.inferencemax_points")[0][0]]
    csv = built_base.cli("batches", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "family,batch_id,landed_at,rows,quarantined"


def raw_batch_ids(db) -> set[str]:
    return {r[0] for r in query(db, """select batch_id from raw.eval_event_batches union all
                                      select batch_id from raw.vllm_result_batches union all
                                      select batch_id from raw.loadgen_runs union all
                                      select snapshot_id from raw.inferencemax_snapshots""")}


def test_retire_then_rebuild_leaves_out_retired_and_foreign_batches_and_prunes_copies(built, tmp_path):
    from tests.ops.conftest import PROJECT_DIR

    batches = json.loads(built.cli("batches", "--format", "json", check=True).stdout)
    victim = next(b for b in batches if b["family"] == "eval_events")
    before_ids = raw_batch_ids(built.warehouse)

    # a batch landed into ANOTHER warehouse, logged in the same archive
    other = tmp_path / "other" / "semibench.duckdb"
    built.cli("ingest", "vllm-results", "--warehouse", str(other),
              str(PROJECT_DIR / "sample_data" / "vllm_results"), check=True)
    log = [json.loads(line) for line in (built.archive / "vllm_results" / "ingests.jsonl").read_text().splitlines()]
    foreign = log[-1]
    assert foreign["warehouse"] == str(other.resolve())

    unknown = built.cli("batches", "retire", "no-such-batch", "--why", "test")
    assert unknown.returncode == 1 and "no-such-batch" in one_error_line(unknown)

    proc = built.cli("batches", "retire", victim["batch_id"], "--why", "poison: wrong model names")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert query(built.warehouse, "select count(*) from raw.eval_events where batch_id = ?", [victim["batch_id"]]) == [(0,)]
    assert victim["batch_id"] not in raw_batch_ids(built.warehouse)
    retired = [json.loads(line) for line in (built.archive / "retirements.jsonl").read_text().splitlines()]
    assert [(r["id"], r["family"], r["why"]) for r in retired] == [
        (victim["batch_id"], "eval_events", "poison: wrong model names")]
    assert retired[0]["by"] and retired[0]["retired_at"]

    again = built.cli("batches", "retire", victim["batch_id"], "--why", "again")
    assert again.returncode == 0 and "already retired" in again.stdout
    assert len((built.archive / "retirements.jsonl").read_text().splitlines()) == 1

    # leftovers of earlier rebuilds: only the newest 3 survive the next one (its own copy among them)
    olds = [built.warehouse.with_name(f"{built.warehouse.name}.corrupt-2020010{i}T000000Z") for i in range(1, 5)]
    for p in olds:
        p.write_bytes(b"old")
    proc = built.cli("rebuild", "--force", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    left = sorted(p.name for p in built.warehouse.parent.iterdir()
                  if ".corrupt-" in p.name or ".replaced-" in p.name)
    assert len(left) == 3 and olds[3].name in left and olds[2].name in left, left
    assert any(".replaced-" in name for name in left)

    after_ids = raw_batch_ids(built.warehouse)
    assert after_ids == before_ids - {victim["batch_id"]}
    assert foreign["batch_id"] not in after_ids
    assert victim["batch_id"] not in raw_batch_ids(built.published)


# --- alerts: on_quarantine ------------------------------------------------------------------------------

def test_a_run_that_quarantined_records_alerts_with_the_count(tmp_path):
    from semibench.ops.alerts import build_alert
    from semibench.ops.config import AlertConfig, load_ops_config
    from semibench.ops.runlog import RunRecord
    from semibench.pipeline import PipelineSummary

    assert PipelineSummary().records_quarantined == 0
    record = RunRecord(run_id="r1", trigger="once", status="success", started_at="2026-01-01T00:00:00Z",
                       records_quarantined=7)
    payload = build_alert(record, AlertConfig(command="true"), None)
    assert payload["kinds"] == ["quarantine"] and payload["records_quarantined"] == 7
    assert "quarantined 7 records" in payload["summary"] and payload["run"]["records_quarantined"] == 7
    assert build_alert(record, AlertConfig(command="true", on_quarantine=False), None) is None
    clean = RunRecord(run_id="r2", trigger="once", status="success", started_at="2026-01-01T00:00:00Z")
    assert build_alert(clean, AlertConfig(command="true"), None) is None
    cfg = tmp_path / "c.yml"
    cfg.write_text("alerts:\n  on_quarantine: false\n")
    assert load_ops_config(cfg).alerts.on_quarantine is False
