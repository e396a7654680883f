"""Watching the client itself: when the load generator saturates (too many streams for its
cores), its event loop runs late and every timestamp it takes is late by as much, so pooled
ITL and TTFT read as the client's own lag, not the server's. AIPerf warns when its event loop
lags; we measure it and flag the run.

A probe task asks to wake every `interval_s` and records how late it woke (event-loop lag);
the process CPU time over the run gives the client's CPU use. The run is flagged
`client_distorted` when the loop lag p99 or the CPU use passes a threshold.
"""

from __future__ import annotations

import asyncio
import resource
import time

from loadgen.metrics import percentile

LAG_P99_LIMIT_MS = 5.0    # loop wake-ups later than this at p99 distort ms-scale ITLs
CPU_LIMIT = 0.9           # of one core: an asyncio client is one thread
# CPU share over a window shorter than this says nothing: a process timed only while it computes reads ~100 %
MIN_CPU_WINDOW_S = 1.0


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class ClientWatch:
    def __init__(self, interval_s: float = 0.01, *, wall_clock=time.monotonic, cpu_clock=_cpu_s):
        self.interval_s = interval_s
        self.lags_ms: list[float] = []
        self._wall_clock, self._cpu_clock = wall_clock, cpu_clock
        self._t0 = wall_clock()
        self._cpu0 = cpu_clock()

    async def probe(self) -> None:
        iv = self.interval_s
        lags = self.lags_ms
        while True:
            due = time.monotonic() + iv
            await asyncio.sleep(iv)
            lags.append(max(0.0, (time.monotonic() - due) * 1000))

    def report(self) -> dict:
        wall = max(1e-9, self._wall_clock() - self._t0)
        cpu = (self._cpu_clock() - self._cpu0) / wall
        lags = sorted(self.lags_ms)
        p99 = percentile(lags, 99) if lags else None
        reasons = []
        if p99 is not None and p99 > LAG_P99_LIMIT_MS:
            reasons.append(f"event-loop lag p99 {p99:.1f} ms > {LAG_P99_LIMIT_MS:g} ms")
        if cpu > CPU_LIMIT and wall >= MIN_CPU_WINDOW_S:
            reasons.append(f"client CPU {cpu:.0%} of a core > {CPU_LIMIT:.0%}")
        return {"client_loop_lag_p99_ms": p99, "client_loop_lag_max_ms": lags[-1] if lags else None,
                "client_cpu_util": cpu, "client_distorted": bool(reasons),
                "client_warning": ("timings include the client's own lag: " + "; ".join(reasons))
                if reasons else None}
