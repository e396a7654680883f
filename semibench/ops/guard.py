"""One recorded, exclusive pipeline run: take the run lock, write the run log, run the steps, alert, and
mirror the log into the warehouse. Used by `semibench run` and `semibench rebuild`.

Exit codes: 0 success, 1 failed, 75 (EX_TEMPFAIL) another run holds the lock, 143 terminated by SIGTERM
(130 for SIGINT). The distinct 75 lets cron wrappers and the scheduler tell "skipped" from "broken".
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from semibench_core import paths
from semibench.ops import alerts, runlog
from semibench.ops.config import OpsConfig
from semibench.ops.health import WarehouseBusy, WarehouseCorrupt
from semibench.ops.lock import LockBusy, RunLock

EXIT_OK, EXIT_FAILED, EXIT_LOCKED = 0, 1, 75
# After SIGTERM/SIGINT the run unwinds (Terminated) and records itself. Unwinding can hang where Python
# cannot interrupt it, e.g. the fetch pool joining workers blocked in an HTTP read until their timeout; past
# this many seconds the run writes its end line and exits hard, which is as safe as the SIGKILL the fault
# tests already survive.
TERM_CLEANUP_S = 10.0


class Terminated(BaseException):
    """Raised in the main thread by SIGTERM/SIGINT so the run can record itself as interrupted.
    A BaseException, so `except Exception` in pipeline code cannot swallow it."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"terminated by {signal.Signals(signum).name}")


@dataclass
class Outcome:
    exit_code: int
    record: runlog.RunRecord
    summary: object | None  # PipelineSummary, when the steps ran far enough to produce one
    error: str | None


def expected_errors() -> tuple[type[BaseException], ...]:
    """Failures that are reported in one line; anything else also gets its traceback."""
    from ingest.errors import IngestError
    from semibench_core.faults import FaultSpecError
    from semibench.publish import PublishError

    return (IngestError, PublishError, WarehouseCorrupt, WarehouseBusy, FaultSpecError)


def resolve_trigger(default: str) -> str:
    trigger = os.environ.get(runlog.TRIGGER_ENV) or default
    if trigger not in runlog.TRIGGERS:
        raise ValueError(f"{runlog.TRIGGER_ENV}={trigger!r}: expected one of {', '.join(runlog.TRIGGERS)}")
    return trigger


def guarded_run(work: Callable[[runlog.RunRecorder], object], *, trigger: str, ops: OpsConfig,
                warehouse: Path | None = None, published: Path | None = None,
                say: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> Outcome:
    """work(recorder) runs the steps (passing recorder.on_step to them) and returns a PipelineSummary."""
    warehouse = Path(warehouse or paths.warehouse_path())
    published = Path(published or paths.published_path())
    from semibench.ops.exclusive import take_run_lock

    recorder = runlog.RunRecorder(trigger)
    try:
        lock = take_run_lock(trigger, run_id=recorder.record.run_id, trigger=trigger, warehouse=warehouse, say=say)
    except LockBusy as exc:
        record = runlog.record_skipped(trigger, str(exc))
        return Outcome(EXIT_LOCKED, record, None, str(exc))
    with lock:
        recorder.start()
        status, error, summary, exit_code, crash = "failed", None, None, EXIT_FAILED, None
        warehouse_usable = True
        previous = _install_signal_handlers(recorder, lock)
        try:
            summary = work(recorder)
            recorder.fill_from_summary(summary)
            if summary.ok:
                status, exit_code = "success", EXIT_OK
            else:
                error = "dbt build failed; the published warehouse was left as it was"
        except Terminated as exc:
            status, error, exit_code = "interrupted", str(exc), 128 + exc.signum
        except expected_errors() as exc:
            error = " ".join(str(exc).split())
            warehouse_usable = not isinstance(exc, (WarehouseCorrupt, WarehouseBusy))
        except Exception as exc:  # unexpected: record it, then let the traceback through
            error, crash = f"{type(exc).__name__}: {' '.join(str(exc).split())}", exc
        finally:
            _restore_signal_handlers(previous)
        record = recorder.record
        record.status, record.error = status, error  # so alerts see the outcome; finish() writes it
        if ops.alerts.enabled:
            payload = alerts.build_alert(record, ops.alerts, published)
            if payload:
                record.alerts = alerts.send(payload, ops.alerts)
        recorder.finish(status, error)
        if warehouse_usable:  # never write into a file just found corrupt (or locked by someone else)
            _mirror_into_warehouse(warehouse, published, republish=bool(record.published), say=say)
    if crash is not None:
        raise crash
    return Outcome(exit_code, record, summary, error)


def _mirror_into_warehouse(warehouse: Path, published: Path, *, republish: bool, say) -> None:
    """Copy the run log into raw.pipeline_runs; re-publish when this run published, so the published
    `pipeline_runs` shows this run's final record (the model is a view: no dbt build needed). Best effort:
    the JSONL file is the record, a broken warehouse must not turn a finished run into a crash."""
    from semibench.ops.health import rebuild_marker
    from semibench.publish import PublishError, publish

    if not warehouse.exists() or rebuild_marker(warehouse).exists():
        return
    try:
        con = duckdb.connect(str(warehouse))
        try:
            runlog.sync_to_warehouse(con, runlog.read_runs())
        finally:
            con.close()
        if republish:
            publish(warehouse, published)
    except (duckdb.Error, PublishError, OSError) as exc:
        say(f"warning: run log not mirrored into {warehouse}: {' '.join(str(exc).split())[:200]}")


def _install_signal_handlers(recorder: runlog.RunRecorder, lock: RunLock):
    if threading.current_thread() is not threading.main_thread():
        return None
    fired: list[int] = []

    def handler(signum, frame):
        if fired:
            return  # a second signal while unwinding: the watchdog below already bounds the wait
        fired.append(signum)
        threading.Thread(target=_exit_if_stuck, args=(recorder, lock, signum), daemon=True).start()
        raise Terminated(signum)

    return {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}


def _exit_if_stuck(recorder: runlog.RunRecorder, lock: RunLock, signum: int) -> None:
    time.sleep(TERM_CLEANUP_S)
    name = signal.Signals(signum).name
    recorder.finish("interrupted", f"terminated by {name} (unwinding took over {TERM_CLEANUP_S:g}s; exited hard)")
    lock.release()  # cleanly, so the next run does not report a stale lock
    os._exit(128 + signum)


def _restore_signal_handlers(previous) -> None:
    for signum, handler in (previous or {}).items():
        signal.signal(signum, handler)
