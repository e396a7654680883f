"""`semibench schedule`: a foreground daemon that runs the pipeline on a cron schedule.

- Each run is a child process (`semibench run --once`, trigger `schedule`), so a crash or memory blow-up
  in a run cannot take the daemon down; the child takes the run lock itself, so a cron/manual run going
  on at the same time makes the scheduled one exit 75 (recorded as skipped_locked) instead of doubling up.
- Missed runs are not stacked: after a run, the next fire time is computed from *now*, and a fire time
  that passes while a run is still going is logged and recorded as skipped, never queued.
- SIGTERM/SIGINT: stop scheduling; let a running child finish for up to `grace` seconds, then SIGTERM its
  process group (it records itself as interrupted; the pipeline's atomic steps keep the data safe), then
  SIGKILL if it still lingers; exit 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from semibench.ops import runlog

# How often the daemon looks at its running child while also watching the clock and signals. Only affects
# how soon a finished run is noticed, never correctness.
_POLL_S = 0.2
# After SIGTERM to a run past its grace period: how long before SIGKILL.
_KILL_AFTER_S = 30.0


@dataclass(frozen=True)
class ScheduleSpec:
    cron: str
    timezone: str
    grace_s: float
    max_runs: int | None          # stop after this many runs (tests); None = forever
    child_args: list[str]         # arguments after `semibench run --once`


def log(message: str) -> None:
    print(f"{datetime.now().astimezone().isoformat(timespec='seconds')} schedule: {message}", flush=True)


class Scheduler:
    def __init__(self, spec: ScheduleSpec):
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self.stop = threading.Event()
        self.stop_signal: str | None = None

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def next_fire(self) -> datetime:
        """The next fire time strictly after now: whatever passed meanwhile is dropped, not caught up."""
        return croniter(self.spec.cron, self.now()).get_next(datetime)

    def _on_signal(self, signum, frame) -> None:
        self.stop_signal = signal.Signals(signum).name
        self.stop.set()  # wakes stop.wait() at once

    def serve(self) -> int:
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, self._on_signal)
        runs = 0
        fire = self.next_fire()
        log(f"cron '{self.spec.cron}' ({self.spec.timezone}); next run at {fire.isoformat()}")
        while not self.stop.is_set():
            wait_s = (fire - self.now()).total_seconds()
            if wait_s > 0:
                # Re-check after waking: a signal, or a clock that jumped, may wake us early.
                self.stop.wait(wait_s)
                continue
            runs += 1
            self._run_child(runs)
            if self.spec.max_runs is not None and runs >= self.spec.max_runs:
                log(f"stopping after {runs} run{'s' if runs != 1 else ''} (--max-runs)")
                break
            fire = self.next_fire()
            if not self.stop.is_set():
                log(f"next run at {fire.isoformat()}")
        if self.stop_signal:
            log(f"stopped by {self.stop_signal}")
        return 0

    def _run_child(self, n: int) -> None:
        cmd = [sys.executable, "-m", "semibench.cli", "run", "--once", *self.spec.child_args]
        env = {**os.environ, runlog.TRIGGER_ENV: "schedule"}
        # Own session: a Ctrl-C in the daemon's terminal reaches only the daemon, which then applies the
        # grace period; and the whole run (with dbt) can be signalled as one process group.
        proc = subprocess.Popen(cmd, env=env, start_new_session=True)
        log(f"run {n} started (pid {proc.pid})")
        fire = self.next_fire()
        while proc.poll() is None:
            if self.stop.is_set():
                self._stop_child(proc)
                break
            if self.now() >= fire:
                reason = f"fire time {fire.isoformat()} passed while the run in pid {proc.pid} was still going"
                log(f"skipped: {reason}")
                runlog.record_skipped("schedule", reason)
                fire = self.next_fire()
            self.stop.wait(min(_POLL_S, max(0.0, (fire - self.now()).total_seconds())) or _POLL_S)
        code = proc.wait()
        log(f"run {n} exited {code} ({describe_exit(code)})")

    def _stop_child(self, proc: subprocess.Popen) -> None:
        grace = self.spec.grace_s
        log(f"{self.stop_signal}: no new runs; letting the running pipeline (pid {proc.pid}) finish for up to {grace:g}s")
        deadline = time.monotonic() + grace
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(min(_POLL_S, max(0.0, deadline - time.monotonic())))
        if proc.poll() is not None:
            return
        log(f"grace period over: terminating the run (pid {proc.pid})")
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=_KILL_AFTER_S)
        except subprocess.TimeoutExpired:
            log(f"run (pid {proc.pid}) ignored SIGTERM: killing it")
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(proc.pid, signum)  # the child leads its own session/group (start_new_session)
    except ProcessLookupError:
        pass


def describe_exit(code: int) -> str:
    from semibench.ops.guard import EXIT_FAILED, EXIT_LOCKED, EXIT_OK

    if code == EXIT_OK:
        return "success"
    if code == EXIT_FAILED:
        return "failed"
    if code == EXIT_LOCKED:
        return "skipped: another run held the lock"
    if code < 0 or code >= 128:
        return f"terminated by signal {abs(code) if code < 0 else code - 128}"
    return "error"
