"""The run lock, the run log's folding, fault-spec and config validation: no dbt build needed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from ingest.config import load_config
from ingest.errors import IngestError
from semibench.ops import lock, runlog
from semibench.ops.config import load_ops_config
from tests.ops.conftest import dead_config

HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from semibench.ops.lock import RunLock
    RunLock(sys.argv[1]).acquire(run_id="holder-run", trigger="manual")
    print("locked", flush=True)
    time.sleep(600)
""")


def hold_lock_in_child(path, env=None):
    """A real second process holding the lock (flock is per open file, so the test process would do too,
    but a separate pid is what a cron run meeting a long daemon run looks like)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_lock_is_exclusive_and_released_by_the_kernel_when_the_holder_is_killed(tmp_path):
    path = tmp_path / "semibench.lock"
    child = hold_lock_in_child(path)
    state = lock.inspect(path)
    assert state.held and state.holder.pid == child.pid and state.holder.run_id == "holder-run"
    with pytest.raises(lock.LockBusy, match=f"pid {child.pid}"):
        lock.RunLock(path).acquire(run_id="me", trigger="once")

    child.send_signal(signal.SIGKILL)
    child.wait()
    state = lock.inspect(path)
    assert not state.held and state.stale and not state.holder.alive  # died without releasing: stale

    mine = lock.RunLock(path).acquire(run_id="me", trigger="once")
    assert mine.stale.pid == child.pid  # the takeover names the crashed holder
    assert lock.inspect(path).holder.run_id == "me"
    mine.release()
    assert lock.inspect(path) == lock.LockState(held=False, holder=None)  # released cleanly: not stale


def test_run_once_while_another_run_holds_the_lock_exits_75_and_records_a_skip(fresh):
    fresh.archive.mkdir(parents=True)
    holder = hold_lock_in_child(fresh.lock, env=fresh.env)
    try:
        proc = fresh.cli("run", "--once")
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 75
    assert proc.stderr.startswith("error: another pipeline run holds") and f"pid {holder.pid}" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not fresh.warehouse.exists()  # nothing was touched
    (run,) = fresh.runs()
    assert run["status"] == "skipped_locked" and run["trigger"] == "once" and "holder-run" in run["error"]


def test_a_killed_run_reads_back_as_interrupted_and_a_torn_line_is_skipped(tmp_path):
    log, lock_file = tmp_path / "runs.jsonl", tmp_path / "lock"
    killed = runlog.RunRecorder("schedule", log)
    killed.start()
    done = runlog.RunRecorder("once", log)
    done.start()
    done.on_step("ingest", "success", 0.5)
    done.finish("success")
    with open(log, "a") as fh:
        fh.write('{"event": "end", "run_id": "torn')  # a crash mid-write
    runs = {r.run_id: r for r in runlog.read_runs(log, lock_file=lock_file)}
    assert runs[killed.record.run_id].status == "interrupted"
    assert runs[done.record.run_id].status == "success" and runs[done.record.run_id].steps[0].name == "ingest"
    assert len(runs) == 2


def test_a_started_run_holding_the_lock_reads_back_as_running(tmp_path):
    log, lock_file = tmp_path / "runs.jsonl", tmp_path / "lock"
    rec = runlog.RunRecorder("once", log)
    with lock.RunLock(lock_file).acquire(run_id=rec.record.run_id, trigger="once"):
        rec.start()
        (run,) = runlog.read_runs(log, lock_file=lock_file)
        assert run.status == "running"
    (run,) = runlog.read_runs(log, lock_file=lock_file)
    assert run.status == "interrupted"


def test_fault_spec_typo_is_a_one_line_error(fresh):
    proc = fresh.cli("run", "--once", env={"SEMIBENCH_FAULT": "kill:publsh"})
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: SEMIBENCH_FAULT='kill:publsh'") and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text, expected", [
    ("schedule:\n  cron: every day\n", "'schedule.cron': not a valid cron expression"),
    ("schedule:\n  timezone: Mars/Olympus\n", "unknown time zone 'Mars/Olympus'"),
    ("alerts:\n  on_falure: false\n", "unknown key 'alerts.on_falure'"),
    ("alerts:\n  big_change_pct: -3\n", "'alerts.big_change_pct': must be a number >= 0"),
    ("alerts: [1]\n", "section 'alerts' must be a mapping"),
])
def test_ops_config_errors_name_file_and_key(tmp_path, text, expected):
    path = tmp_path / "c.yml"
    path.write_text(text)
    with pytest.raises(IngestError, match=expected.replace("(", r"\(").replace(")", r"\)")) as err:
        load_ops_config(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_one_config_file_drives_ingest_schedule_and_alerts(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text("inferencemax:\n  retries: 1\nschedule:\n  cron: '0 5 * * 1-5'\n  timezone: Europe/Berlin\n"
                    "alerts:\n  command: cat\n  big_change_pct: 10\n")
    assert load_config(path).inferencemax.retries == 1  # the ingester skips the ops sections
    ops = load_ops_config(path)
    assert (ops.schedule.cron, ops.schedule.timezone) == ("0 5 * * 1-5", "Europe/Berlin")
    assert ops.alerts.command == "cat" and ops.alerts.big_change_pct == 10 and ops.alerts.on_failure


def test_bad_alert_config_fails_before_taking_the_lock_or_logging(fresh, tmp_path):
    config = dead_config(tmp_path / "c.yml", "alerts:\n  timeout_s: soon\n")
    proc = fresh.cli("run", "--once", "--config", str(config))
    assert proc.returncode == 1 and "'alerts.timeout_s'" in proc.stderr
    assert not fresh.run_log.exists()


def test_failed_run_is_logged_with_its_failed_step_and_error(fresh, tmp_path):
    proc = fresh.cli("run", "--once", "--live", "--config", str(dead_config(tmp_path / "c.yml")))
    assert proc.returncode == 1 and proc.stderr.startswith("error: ") and "127.0.0.1:9" in proc.stderr
    (run,) = fresh.runs()
    assert run["status"] == "failed" and run["trigger"] == "once" and "127.0.0.1:9" in run["error"]
    assert run["steps"] == "check:success ingest:failed"
    start, end = fresh.log_lines()
    assert (start["event"], start["status"], end["event"], end["status"]) == ("start", "running", "end", "failed")
    assert not lock.inspect(fresh.lock).held and not lock.inspect(fresh.lock).stale
