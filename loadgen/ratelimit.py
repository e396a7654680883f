"""Per-shard admission control: concurrency cap, QPS cap, and the adaptive rate mode.

`fixed` mode enforces the shard's caps as given. `adaptive` mode scales both caps by a
level in (0, 1]: multiplicative decrease (halve) on a 429 / 5xx — at most once per
cooldown, since one overload event typically fails a whole burst of requests at once —
and additive increase (+climb_step) for every climb_interval without such an error, back
up to the configured caps. A 429's Retry-After pauses the shard in adaptive mode.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class AdaptivePolicy:
    decrease_factor: float = 0.5
    cooldown_s: float = 1.0
    climb_interval_s: float = 1.0
    climb_step: float = 0.1       # fraction of the configured cap added per healthy interval
    max_retry_after_s: float = 60.0


class ShardLimiter:
    """Admits one request at a time for a single dispatcher coroutine."""

    def __init__(self, max_concurrency: int | None, qps: float | None, mode: str = "fixed",
                 policy: AdaptivePolicy = AdaptivePolicy(), clock=time.monotonic):
        self.max_concurrency = max_concurrency
        self.qps = qps
        self.adaptive = mode == "adaptive"
        self.policy = policy
        self.clock = clock
        self.level = 1.0
        self.min_level = (1.0 / max_concurrency) if max_concurrency else 0.05
        self.inflight = 0
        self.backoffs = 0             # how many times the level was cut
        self._next_start = 0.0        # earliest start allowed by the QPS cap
        self._last_change = clock()
        self._last_decrease = float("-inf")
        self._paused_until = 0.0
        self._wake: asyncio.Future | None = None

    # -- what the caps are right now -------------------------------------------------
    @property
    def concurrency_limit(self) -> int | None:
        if self.max_concurrency is None:
            return None
        return max(1, int(self.max_concurrency * self.level + 1e-9))

    @property
    def qps_limit(self) -> float | None:
        return None if self.qps is None else self.qps * self.level

    # -- adaptive bookkeeping --------------------------------------------------------
    def _climb(self, now: float) -> None:
        if not self.adaptive or self.level >= 1.0:
            self._last_change = now
            return
        steps = int((now - self._last_change) / self.policy.climb_interval_s)
        if steps > 0:
            self.level = min(1.0, self.level + steps * self.policy.climb_step)
            self._last_change += steps * self.policy.climb_interval_s

    def on_result(self, error_class: str | None, retry_after_s: float | None = None,
                  backoff: bool = False) -> None:
        """Feed one request outcome; `backoff` = the outcome was a 429 / 5xx."""
        if not self.adaptive:
            return
        now = self.clock()
        if backoff:
            self._last_change = now    # not healthy: restart the climb timer
            if now - self._last_decrease >= self.policy.cooldown_s:
                self.level = max(self.min_level, self.level * self.policy.decrease_factor)
                self._last_decrease = now
                self.backoffs += 1
            if retry_after_s:
                self._paused_until = max(self._paused_until,
                                         now + min(retry_after_s, self.policy.max_retry_after_s))
        else:
            self._climb(now)

    # -- admission ---------------------------------------------------------------------
    async def acquire(self) -> None:
        while True:
            now = self.clock()
            self._climb(now)
            if self._paused_until > now:
                await asyncio.sleep(self._paused_until - now)
                continue
            limit = self.concurrency_limit
            if limit is not None and self.inflight >= limit:
                self._wake = asyncio.get_running_loop().create_future()
                # Also wake after a climb interval: the level may rise with nothing finishing.
                try:
                    await asyncio.wait_for(asyncio.shield(self._wake),
                                           self.policy.climb_interval_s if self.adaptive else None)
                except asyncio.TimeoutError:
                    pass
                self._wake = None
                continue
            qps = self.qps_limit
            if qps is not None and now < self._next_start:
                await asyncio.sleep(self._next_start - now)
                continue
            if qps is not None:
                self._next_start = max(now, self._next_start) + 1.0 / qps
            self.inflight += 1
            return

    def release(self) -> None:
        self.inflight -= 1
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)
