"""One pipeline run at a time: an flock(2)-guarded lock file.

The kernel drops an flock when the holding process dies, even by SIGKILL, so a crashed run can never leave
a lock that blocks the next one. The JSON written inside (pid, run id, trigger, since, host) is only
information: it names the holder in the "already running" message, and a file whose holder is gone
without releasing it is reported as stale (a run that crashed) and taken over by the next run.

The holder also records its running dbt child's process group (note_child). dbt runs in a group of its
own with a parent-death signal (semibench.dbt_runner), so it normally dies with the run; the takeover of
a stale lock still ends that group if it outlived its parent, and waits for it to go, because a dbt
child left building keeps DuckDB's own lock on the warehouse and the next run would fail on it.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import threading
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from semibench_core import paths
from semibench_core.child_process import set_current_child

ENV = "SEMIBENCH_LOCK"


def lock_path() -> Path:
    value = os.environ.get(ENV)
    return Path(value).resolve() if value else paths.archive_dir() / "semibench.lock"


@dataclass(frozen=True)
class Holder:
    pid: int
    run_id: str
    trigger: str
    since: str
    host: str
    child_pgid: int | None = None   # the dbt child's process group, while one runs
    child_start: str | None = None  # its start time (/proc), so a recycled pid is never killed

    @property
    def alive(self) -> bool:
        """Whether the pid still exists on this host (informational: the flock is what counts)."""
        if self.host != socket.gethostname():
            return True  # cannot tell from here
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def describe(self) -> str:
        return f"run {self.run_id} ({self.trigger}) by pid {self.pid} on {self.host} since {self.since}"


@dataclass(frozen=True)
class LockState:
    held: bool             # some process holds the flock right now
    holder: Holder | None  # who wrote the file last (None: never locked, or released cleanly)

    @property
    def stale(self) -> bool:
        """A holder is recorded but nobody holds the lock: that run died without releasing it."""
        return not self.held and self.holder is not None


class LockBusy(RuntimeError):
    def __init__(self, path: Path, holder: Holder | None):
        self.path, self.holder = path, holder
        who = holder.describe() if holder else "another process"
        super().__init__(f"another pipeline run holds {path}: {who}; not starting a second one")


def _read_holder(fd: int) -> Holder | None:
    try:
        text = os.pread(fd, 65536, 0).decode("utf-8")
        data = json.loads(text) if text.strip() else None
        return Holder(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None  # a torn write from a crash: treat as no recorded holder


def inspect(path: Path | None = None) -> LockState:
    """Is the lock held, and by whom? Safe to call while a run holds it (even from that same process:
    flock conflicts between separate opens of the file)."""
    path = Path(path or lock_path())
    if not path.exists():
        return LockState(held=False, holder=None)
    fd = os.open(path, os.O_RDONLY)
    try:
        holder = _read_holder(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return LockState(held=True, holder=holder)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return LockState(held=False, holder=holder)
    finally:
        os.close(fd)


class RunLock:
    """Non-blocking: a busy lock raises LockBusy at once. That is how overlapping or missed cron runs are
    dropped instead of queueing up behind a long run."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path or lock_path())
        self._fd: int | None = None
        self._me: Holder | None = None
        self._release_lock = threading.Lock()  # release() may race between the main thread and a watchdog
        self.stale: Holder | None = None  # the crashed run whose leftover file we took over, if any

    def acquire(self, *, run_id: str, trigger: str) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockBusy(self.path, holder) from None
        self.stale = _read_holder(fd)
        if self.stale is not None:
            end_orphaned_child(self.stale)
        self._fd = fd
        self._write(Holder(pid=os.getpid(), run_id=run_id, trigger=trigger, host=socket.gethostname(),
                           since=datetime.now(timezone.utc).isoformat(timespec="seconds")))
        _HELD.append(self)
        return self

    def _write(self, me: Holder) -> None:
        self._me = me
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(asdict(me)).encode("utf-8"), 0)

    def note_child(self, pgid: int | None) -> None:
        with self._release_lock:
            if self._fd is None or self._me is None:
                return
            self._write(replace(self._me, child_pgid=pgid, child_start=_start_time(pgid) if pgid else None))

    def release(self) -> None:
        with self._release_lock:
            if self._fd is None:
                return
            # Empty the file before unlocking: a later reader then sees "released cleanly", not "stale".
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing drops the flock
            self._fd = None
            if self in _HELD:
                _HELD.remove(self)

    def __enter__(self) -> "RunLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# Locks this process holds, so the dbt runner can record its child in them without being handed the lock.
_HELD: list[RunLock] = []
# How long a stale lock's leftover dbt group gets to exit after SIGTERM before SIGKILL, and to vanish after.
CHILD_TERM_WAIT_S = 10.0
CHILD_KILL_WAIT_S = 30.0


def note_child(pgid: int | None) -> None:
    """Record (or clear, with None) the running dbt child's process group in every lock we hold."""
    set_current_child(pgid)
    for lock in list(_HELD):
        lock.note_child(pgid)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc), None elsewhere or when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()[19]
    except (OSError, ValueError, IndexError):
        return None


def group_members(pgid: int) -> list[int] | None:
    """Live (not zombie) pids in process group `pgid`, from /proc; None where there is no /proc. Zombies
    do not count: an orphan's zombie waits for whoever reaps it and holds no file lock."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _group_alive(pgid: int) -> bool:
    members = group_members(pgid)
    if members is not None:
        return bool(members)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def end_orphaned_child(holder: Holder) -> bool:
    """End the dbt process group a crashed holder left running, and wait until it is gone. True if there
    was one. Only on the same host, and only if the group leader is still the process recorded (same start
    time): a pid recycled since then belongs to someone else."""
    pgid = holder.child_pgid
    if not pgid or holder.host != socket.gethostname() or not _group_alive(pgid):
        return False
    if holder.child_start is not None and _start_time(pgid) not in (None, holder.child_start):
        return False
    for sig, wait_s in ((signal.SIGTERM, CHILD_TERM_WAIT_S), (signal.SIGKILL, CHILD_KILL_WAIT_S)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _group_alive(pgid):
                return True
            time.sleep(0.05)
    return True
