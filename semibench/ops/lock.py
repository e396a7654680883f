"""One pipeline run at a time: an flock(2)-guarded lock file.

The kernel drops an flock when the holding process dies, even by SIGKILL, so a crashed run can never leave
a lock that blocks the next one. The JSON written inside (pid, run id, trigger, since, host) is only
information: it names the holder in the "already running" message, and a file whose holder is gone
without releasing it is reported as stale (a run that crashed) and taken over by the next run.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from semibench import paths

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
        me = Holder(pid=os.getpid(), run_id=run_id, trigger=trigger, host=socket.gethostname(),
                    since=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(me)).encode("utf-8"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        with self._release_lock:
            if self._fd is None:
                return
            # Empty the file before unlocking: a later reader then sees "released cleanly", not "stale".
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> "RunLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()
