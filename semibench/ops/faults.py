"""Test-only fault injection: SIGKILL the process at a named point of the pipeline.

`SEMIBENCH_FAULT=kill:<point>` is read here and nowhere else. Every point sits where a real crash (power
cut, OOM killer, `kill -9`) would hurt most, so the fault tests can show that the archive, the published
warehouse and the next run survive it:

    fetch    during the live fetch: one file received, the others still in flight
    land     snapshot archived and its rows inserted, before the landing transaction commits
    dbt      mid `dbt build` (after a few nodes finished), together with dbt's own child process
    publish  published copy written and fsynced, before os.replace swaps it in

Unset (production), fault_point() is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "SEMIBENCH_FAULT"
POINTS = ("fetch", "land", "dbt", "publish")


class FaultSpecError(ValueError):
    pass


def parse(spec: str) -> str:
    """The point named by a `kill:<point>` spec, or FaultSpecError (a typo must not silently test nothing)."""
    action, _, point = spec.partition(":")
    if action != "kill" or point not in POINTS:
        raise FaultSpecError(f"{ENV}={spec!r}: expected kill:<point> with point one of {', '.join(POINTS)}")
    return point


def check_env() -> None:
    """Fail fast on a malformed spec at the start of a run."""
    spec = os.environ.get(ENV)
    if spec:
        parse(spec)


def fault_point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec or parse(spec) != name:
        return
    # Kill the whole process group when we lead it (the fault tests start the CLI in its own session), so
    # children such as dbt die in the same instant, as on a power cut; otherwise only ourselves.
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
