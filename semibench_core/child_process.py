"""The process group of the dbt child this process runs right now, if any.

Recorded by semibench.ops.lock (which also writes it into the run lock); read by the fault points, whose
`kill` takes the child's group down in the same instant, as a power cut would. Kept here, below both, so the
fault points need nothing from the layers above them."""

from __future__ import annotations

_GROUP: list[int] = []


def current_child() -> int | None:
    return _GROUP[-1] if _GROUP else None


def set_current_child(pgid: int | None) -> None:
    _GROUP[:] = [pgid] if pgid else []
