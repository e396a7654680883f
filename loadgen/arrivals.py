"""Arrival processes: when each request of a run is due, as offsets (s) from run start.

Matches vLLM `bench serve`: inter-arrival gaps are gamma(shape=burstiness,
scale=1/(rate*burstiness)) — exponential, i.e. Poisson arrivals, at burstiness 1 —
and an infinite rate means everything is due at once. Unlike vLLM we do not rescale
the gaps so the last arrival lands exactly at N/rate: the process stays a true
renewal process (what the statistical tests check) and works for --duration runs too.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from loadgen.shards import ConfigError

ARRIVALS = ("auto", "poisson", "gamma", "constant", "all-at-once", "replay")


def resolve_arrival(kind: str, rate: float, burstiness: float, has_timestamps: bool) -> str:
    """Turn --arrival auto (and validate the combination) into a concrete process name."""
    if kind not in ARRIVALS:
        raise ConfigError(f"unknown --arrival {kind!r}; choose one of {ARRIVALS}")
    if not (rate > 0):
        raise ConfigError(f"--request-rate must be > 0 (use inf for all at once), got {rate}")
    if not (burstiness > 0):
        raise ConfigError(f"--burstiness must be > 0, got {burstiness}")
    if kind == "auto":
        if has_timestamps:
            return "replay"
        if math.isinf(rate):
            return "all-at-once"
        return "poisson" if burstiness == 1.0 else "gamma"
    if kind == "replay" and not has_timestamps:
        raise ConfigError("--arrival replay needs --dataset replay (a timestamped trace)")
    if kind in ("poisson", "gamma", "constant") and math.isinf(rate):
        raise ConfigError(f"--arrival {kind} needs a finite --request-rate")
    if kind == "poisson" and burstiness != 1.0:
        raise ConfigError("--arrival poisson means burstiness 1; use --arrival gamma with --burstiness")
    return kind


def arrival_offsets(kind: str, rate: float, burstiness: float = 1.0, seed: int = 0,
                    timestamps: list[float] | None = None) -> Iterator[float]:
    """Endless (or, for replay, finite) non-decreasing arrival offsets in seconds."""
    if kind == "replay":
        yield from (timestamps or [])
        return
    if kind == "all-at-once":
        while True:
            yield 0.0
    if kind == "constant":
        gap = 1.0 / rate
        i = 1
        while True:
            yield i * gap
            i += 1
    rng = random.Random(f"loadgen-arrivals:{seed}")
    t = 0.0
    if kind == "poisson":
        while True:
            t += rng.expovariate(rate)
            yield t
    if kind == "gamma":
        scale = 1.0 / (rate * burstiness)
        while True:
            t += rng.gammavariate(burstiness, scale)
            yield t
    raise ConfigError(f"unknown arrival process {kind!r}")
