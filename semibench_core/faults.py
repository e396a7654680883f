"""Test-only fault injection: SIGKILL the process (or pause it) at a named point of the pipeline.

`SEMIBENCH_FAULT=kill:<point>` or `pause:<point>` is read here and nowhere else. `pause` prints
`fault: paused at <point> (pid N)` to stderr and sleeps until killed, so a test can kill the run alone
(`kill -9 <pid>`) while its dbt child is still alive. Every point sits where a real crash (power
cut, OOM killer, `kill -9`) would hurt most, so the fault tests can show that the archive, the published
warehouse and the next run survive it:

    fetch    during the live fetch: one file received, the others still in flight
    land     snapshot archived and its rows inserted, before the landing transaction commits
    dbt      mid `dbt build` (after a few nodes finished), together with dbt's process group
    publish  published copy written and fsynced, before os.replace swaps it in

Unset (production), fault_point() is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from semibench_core.child_process import current_child

ENV = "SEMIBENCH_FAULT"
POINTS = ("fetch", "land", "dbt", "publish")
ACTIONS = ("kill", "pause")


class FaultSpecError(ValueError):
    pass


def parse(spec: str) -> str:
    """The point named by a `kill:<point>` spec, or FaultSpecError (a typo must not silently test nothing)."""
    return parse_spec(spec)[1]


def parse_spec(spec: str) -> tuple[str, str]:
    action, _, point = spec.partition(":")
    if action not in ACTIONS or point not in POINTS:
        raise FaultSpecError(f"{ENV}={spec!r}: expected kill:<point> or pause:<point> with point one of "
                             f"{', '.join(POINTS)}")
    return action, point


def check_env() -> None:
    """Fail fast on a malformed spec at the start of a run."""
    spec = os.environ.get(ENV)
    if spec:
        parse(spec)


def fault_point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    action, point = parse_spec(spec)
    if point != name:
        return
    if action == "pause":
        print(f"fault: paused at {name} (pid {os.getpid()})", file=sys.stderr, flush=True)
        while True:
            time.sleep(3600)
    if (child := current_child()) is not None:  # dbt leads a group of its own: a power cut takes it too
        try:
            os.killpg(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Kill the whole process group when we lead it (the fault tests start the CLI in its own session), so
    # children such as dbt die in the same instant, as on a power cut; otherwise only ourselves.
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
