"""The `semibench schedule` daemon, as a real process running real child runs.

Runs here fail fast or hang on purpose (a dead port, or a real HTTP server that holds its answers), so
no dbt build is needed: what is under test is the scheduling, not the pipeline. The cron expression
fires every second (6th field = seconds), so fire times pass while a held run is still going."""

from __future__ import annotations

import signal
import time

from semibench.ops import lock
from tests.ops.conftest import dead_config

EVERY_SECOND = "* * * * * *"


def wait_for(predicate, what: str, limit_s: float = 120) -> None:
    """Wait (bounded, generously: the machine is shared) until predicate() holds."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def schedule_runs(ws) -> list[dict]:
    return [r for r in ws.runs() if r["trigger"] == "schedule"]


def test_runs_each_fire_time_in_a_child_process_then_stops_after_max_runs(fresh, tmp_path):
    config = dead_config(tmp_path / "c.yml")
    proc = fresh.cli("schedule", "--cron", EVERY_SECOND, "--max-runs", "2", "--live", "--config", str(config))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "run 1 exited 1 (failed)" in proc.stdout and "run 2 exited 1 (failed)" in proc.stdout
    assert "stopping after 2 runs (--max-runs)" in proc.stdout
    runs = schedule_runs(fresh)
    assert [r["status"] for r in runs if r["status"] != "skipped_locked"] == ["failed", "failed"]
    assert all("127.0.0.1:9" in r["error"] for r in runs if r["status"] == "failed")
    # the second run started after the first ended: never two at once
    first, second = [r for r in runs if r["status"] == "failed"]
    assert second["started_at"] > first["started_at"]


def test_sigterm_lets_the_running_pipeline_finish_and_passed_fire_times_are_skipped(fresh, tmp_path, sample_server):
    sample_server.hold = True
    config = sample_server.config(tmp_path / "c.yml", timeout_s=300)
    log = tmp_path / "daemon.log"
    daemon = fresh.popen("schedule", "--cron", EVERY_SECOND, "--grace", "600", "--live", "--config", str(config), log=log)
    try:
        assert sample_server.requested.wait(120), log.read_text()
        wait_for(lambda: "skipped: fire time" in log.read_text(), "a fire time to pass while the run is held")
        daemon.send_signal(signal.SIGTERM)
        wait_for(lambda: "letting the running pipeline" in log.read_text(), "the daemon to enter its grace period")
        sample_server.status = 404  # now let the run end, on its own: the fetch fails
        sample_server.release()
        assert daemon.wait(120) == 0, log.read_text()
    finally:
        if daemon.poll() is None:
            daemon.kill()
    text = log.read_text()
    assert "run 1 exited 1 (failed)" in text and "stopped by SIGTERM" in text
    assert "run 2 started" not in text  # no new run after SIGTERM, and skipped fire times were not queued
    runs = schedule_runs(fresh)
    finished = [r for r in runs if r["status"] != "skipped_locked"]
    assert [r["status"] for r in finished] == ["failed"] and "HTTP 404" in finished[0]["error"]  # ran to its end
    skipped = [r for r in runs if r["status"] == "skipped_locked"]
    assert skipped and all("was still going" in r["error"] for r in skipped)
    assert lock.inspect(fresh.lock) == lock.LockState(held=False, holder=None)


def test_sigterm_after_the_grace_period_terminates_the_run_which_records_itself(fresh, tmp_path, sample_server):
    sample_server.hold = True  # the run hangs in its fetch until terminated
    config = sample_server.config(tmp_path / "c.yml", timeout_s=300)
    log = tmp_path / "daemon.log"
    daemon = fresh.popen("schedule", "--cron", EVERY_SECOND, "--grace", "0", "--live", "--config", str(config), log=log)
    try:
        assert sample_server.requested.wait(120), log.read_text()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(120) == 0, log.read_text()
    finally:
        if daemon.poll() is None:
            daemon.kill()
    text = log.read_text()
    assert "grace period over: terminating the run" in text and "terminated by signal 15" in text
    (run,) = [r for r in schedule_runs(fresh) if r["status"] != "skipped_locked"]
    assert run["status"] == "interrupted" and run["error"].startswith("terminated by SIGTERM")
    end = [line for line in fresh.log_lines() if line["run_id"] == run["run_id"] and line["event"] == "end"]
    assert len(end) == 1  # it wrote its own end line (not merely a start line read back as interrupted)
    assert lock.inspect(fresh.lock) == lock.LockState(held=False, holder=None)
    snapshots = fresh.archive / "inferencemax"
    assert not snapshots.exists() or not [p for p in snapshots.iterdir() if p.is_dir()]  # nothing archived


def test_bad_cron_is_a_one_line_error(fresh):
    proc = fresh.cli("schedule", "--cron", "61 * * * *")
    assert proc.returncode == 1 and proc.stderr.startswith("error: --cron: not a valid cron expression")
    assert len(proc.stderr.strip().splitlines()) == 1
