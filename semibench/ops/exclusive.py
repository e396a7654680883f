"""Take the run lock for one command (`run`, `rebuild`, `ingest`, `build`, `publish`, `batches retire`):
everything that writes the build warehouse or the published copy runs one at a time.

Taking over a stale lock (its holder died) ends the dead run's dbt group (semibench.ops.lock) and then
waits until DuckDB's own lock on the warehouse is free, so the new command does not fail on a file the
dead run's child was still closing.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from semibench_core import paths
from semibench.ops.lock import RunLock

# How long a takeover waits for the warehouse to be released by a dying child.
WAREHOUSE_FREE_WAIT_S = 60.0


def wait_until_unlocked(warehouse: Path, timeout_s: float = WAREHOUSE_FREE_WAIT_S) -> bool:
    """True once the warehouse can be opened (or does not exist / fails for another reason: not ours to
    judge here, the check step does); False if it is still locked after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        if not Path(warehouse).exists():
            return True
        try:
            duckdb.connect(str(warehouse), read_only=True).close()
            return True
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                return "lock" not in str(exc).lower()
        except duckdb.Error:
            return True
        time.sleep(0.1)


def take_run_lock(command: str, *, run_id: str | None = None, trigger: str | None = None,
                  warehouse: Path | None = None,
                  say: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> RunLock:
    """The acquired lock (release it, or use it as a context manager); LockBusy if another command holds it."""
    run_id = run_id or f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{command}-{uuid.uuid4().hex[:6]}"
    lock = RunLock().acquire(run_id=run_id, trigger=trigger or command)
    if lock.stale:
        say(f"note: took over a stale lock: {lock.stale.describe()} ended without releasing it")
        if not wait_until_unlocked(Path(warehouse or paths.warehouse_path())):
            say("note: the warehouse is still locked by another process after "
                f"{WAREHOUSE_FREE_WAIT_S:g}s; going on (the check step will report it)")
    return lock
