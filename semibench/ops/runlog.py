"""The run log: one record per pipeline run, durable across warehouse rebuilds.

The warehouse can be replaced or rebuilt at any time, so the log of record is an append-only JSONL file
beside the archive (`<archive>/pipeline_runs.jsonl`, override SEMIBENCH_RUN_LOG). A run appends a `start`
line when it begins and an `end` line with its full record when it finishes, fails or is terminated; a
run killed outright (SIGKILL, power cut) leaves only its start line and reads back as `interrupted`.
Each line is one write() on an O_APPEND file, so concurrent writers cannot interleave within a line, and
a torn last line from a crash is skipped. `sync_to_warehouse` mirrors the folded records into
`raw.pipeline_runs`, which dbt models as `pipeline_runs`.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from semibench_core import paths
from semibench.ops import lock as run_lock

ENV = "SEMIBENCH_RUN_LOG"
TRIGGER_ENV = "SEMIBENCH_TRIGGER"  # set by the scheduler daemon for its child runs

STATUSES = ("success", "failed", "interrupted", "skipped_locked", "running")
TRIGGERS = ("manual", "once", "schedule", "rebuild")


def run_log_path() -> Path:
    value = os.environ.get(ENV)
    return Path(value).resolve() if value else paths.archive_dir() / "pipeline_runs.jsonl"


def now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def new_run_id(started: datetime) -> str:
    # Sortable by start time; the random tail keeps two runs in the same second apart.
    return f"{started.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass
class StepRecord:
    name: str
    status: str            # success | failed | skipped
    seconds: float
    error: str | None = None


@dataclass
class RunRecord:
    run_id: str
    trigger: str
    status: str
    started_at: str
    ended_at: str | None = None
    pid: int | None = None
    host: str | None = None
    steps: list[StepRecord] = field(default_factory=list)
    snapshot_id: str | None = None
    snapshot_was_new: bool | None = None
    rows_landed: int | None = None       # raw points landed by this run (0 when the content was already there)
    dbt_tests_failed: int | None = None  # data/unit tests with status fail or error
    dbt_tests_warned: int | None = None
    dbt_nodes_errored: int | None = None  # models/seeds that errored
    published: bool | None = None
    records_quarantined: int = 0          # landed but quarantined by this run's ingests
    error: str | None = None
    alerts: list[str] = field(default_factory=list)  # what was sent, or why sending failed

    @property
    def seconds(self) -> float | None:
        if not self.ended_at:
            return None
        return (datetime.fromisoformat(self.ended_at) - datetime.fromisoformat(self.started_at)).total_seconds()

    def to_json(self, event: str) -> str:
        return json.dumps({"event": event, **asdict(self)}, sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunRecord":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["steps"] = [StepRecord(**s) for s in values.get("steps") or []]
        return cls(**values)


def append(record: RunRecord, event: str, path: Path | None = None) -> None:
    path = Path(path or run_log_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (record.to_json(event) + "\n").encode("utf-8"))
        os.fsync(fd)  # the log must survive the crash it is there to explain
    finally:
        os.close(fd)


def read_runs(path: Path | None = None, *, lock_file: Path | None = None) -> list[RunRecord]:
    """Every run, oldest first: the last line of each run wins. A run with only a start line is `running`
    if it holds the run lock right now, else `interrupted` (it was killed before it could write its end)."""
    path = Path(path or run_log_path())
    if not path.is_file():
        return []
    runs: dict[str, RunRecord] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            record = RunRecord.from_dict(data)
        except (ValueError, TypeError):
            continue  # a torn last line from a crash must not hide every other run
        if data.get("event") == "start":
            runs.setdefault(record.run_id, record)
        else:
            runs[record.run_id] = record
    state = run_lock.inspect(lock_file)
    live = state.holder.run_id if state.held and state.holder else None
    for record in runs.values():
        if record.status == "running" and record.run_id != live:
            record.status = "interrupted"
            record.error = record.error or "killed before it could record its end (no end line in the run log)"
    return sorted(runs.values(), key=lambda r: (r.started_at, r.run_id))


class RunRecorder:
    """Builds one run's record as it goes: start line, one entry per step, end line."""

    def __init__(self, trigger: str, path: Path | None = None):
        started = now()
        self.path = path
        self.record = RunRecord(run_id=new_run_id(started), trigger=trigger, status="running",
                                started_at=stamp(started), pid=os.getpid(), host=socket.gethostname())
        self._finish_lock = threading.Lock()
        self._finished = False

    def start(self) -> None:
        append(self.record, "start", self.path)

    def on_step(self, name: str, status: str, seconds: float, error: str | None = None) -> None:
        self.record.steps.append(StepRecord(name, status, round(seconds, 3), error))

    def finish(self, status: str, error: str | None = None) -> RunRecord:
        """Write the end line, once: the SIGTERM watchdog (semibench.ops.guard) may race the normal path."""
        with self._finish_lock:
            if not self._finished:
                self.record.status = status
                self.record.error = error
                self.record.ended_at = stamp(now())
                append(self.record, "end", self.path)
                self._finished = True
        return self.record

    def fill_from_summary(self, summary) -> None:
        """Copy what a PipelineSummary knows (it may be partial when a step failed)."""
        r = self.record
        r.snapshot_id = summary.snapshot_id
        r.snapshot_was_new = summary.snapshot_was_new
        r.rows_landed = summary.rows_landed
        r.records_quarantined = getattr(summary, "records_quarantined", 0) or 0
        if summary.build is not None:
            dbt = summary.build.dbt
            is_test = lambda n: n.unique_id.startswith(("test.", "unit_test."))  # noqa: E731
            r.dbt_tests_failed = sum(1 for n in dbt.with_status("fail", "error") if is_test(n))
            r.dbt_tests_warned = sum(1 for n in dbt.with_status("warn") if is_test(n))
            r.dbt_nodes_errored = sum(1 for n in dbt.with_status("error") if not is_test(n))
            r.published = summary.build.published is not None


def record_skipped(trigger: str, reason: str, path: Path | None = None) -> RunRecord:
    """A run that did not start because another one held the lock (or a fire time passed mid-run)."""
    rec = RunRecorder(trigger, path)
    rec.record.ended_at = rec.record.started_at
    rec.record.status = "skipped_locked"
    rec.record.error = reason
    append(rec.record, "end", path)
    return rec.record


# --- mirror into the warehouse -------------------------------------------------------------------------

_COLUMNS = ("run_id", "trigger", "status", "started_at", "ended_at", "seconds", "pid", "host", "steps",
            "snapshot_id", "snapshot_was_new", "rows_landed", "dbt_tests_failed", "dbt_tests_warned",
            "dbt_nodes_errored", "published", "error", "alerts")


def _row(r: RunRecord) -> tuple:
    def ts(text):  # TIMESTAMP columns hold naive UTC, like every raw table
        return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None) if text else None
    return (r.run_id, r.trigger, r.status, ts(r.started_at), ts(r.ended_at), r.seconds, r.pid, r.host,
            json.dumps([asdict(s) for s in r.steps]), r.snapshot_id, r.snapshot_was_new, r.rows_landed,
            r.dbt_tests_failed, r.dbt_tests_warned, r.dbt_nodes_errored, r.published, r.error, list(r.alerts))


def sync_to_warehouse(con, records: list[RunRecord]) -> int:
    """Replace raw.pipeline_runs with the folded log, in one transaction. The table is a mirror of the
    JSONL (which is the durable, append-only record), so replacing it whole is always correct."""
    from ingest.raw_schema import ensure_raw_schema

    ensure_raw_schema(con)
    con.begin()
    try:
        con.execute("delete from raw.pipeline_runs")
        if records:
            placeholders = ", ".join("?" for _ in _COLUMNS)
            con.executemany(f"insert into raw.pipeline_runs ({', '.join(_COLUMNS)}) values ({placeholders})",
                            [_row(r) for r in records])
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(records)
