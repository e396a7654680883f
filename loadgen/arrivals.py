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
from collections.abc import Callable, Iterator
from pathlib import Path

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


def read_rate_series(path: str | Path) -> list[tuple[float, float]]:
    """--rate-series FILE: one `SECONDS RATE` pair a line (space or comma separated, `#`
    comments): from SECONDS on, arrivals come at RATE per second. Starts at 0, increasing."""
    out: list[tuple[float, float]] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read --rate-series: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: --rate-series is not UTF-8 text") from None
    for no, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].replace(",", " ").split()
        if not text:
            continue
        try:
            t, r = (float(x) for x in text)
        except ValueError:
            raise ConfigError(f"{path}:{no}: expected `SECONDS RATE`, got {line.strip()!r}") from None
        if not (math.isfinite(t) and math.isfinite(r)) or t < 0 or r < 0:
            raise ConfigError(f"{path}:{no}: SECONDS and RATE must be finite numbers >= 0, got {line.strip()!r}")
        if (not out and t != 0) or (out and t <= out[-1][0]):
            raise ConfigError(f"{path}:{no}: SECONDS must start at 0 and increase, got {t:g}")
        out.append((t, r))
    if not out:
        raise ConfigError(f"{path}: --rate-series has no `SECONDS RATE` line")
    if out[-1][1] == 0:
        raise ConfigError(f"{path}: the last rate is 0: the run would never end")
    return out


def _inverse_cumulative(segments: list[tuple[float, float]]) -> Callable[[float], float]:
    """Time-rescaling: a unit-rate process in 'operational time' s maps to wall time
    t = L^-1(s), where L(t) is the integral of the piecewise-constant rate."""
    cum = [0.0]
    for (t0, r0), (t1, _) in zip(segments, segments[1:]):
        cum.append(cum[-1] + r0 * (t1 - t0))

    def inv(s: float) -> float:
        for i in range(len(segments) - 1, -1, -1):
            if s >= cum[i] and segments[i][1] > 0:
                return segments[i][0] + (s - cum[i]) / segments[i][1]
        return segments[0][0]
    return inv


def _ramp_inverse(rate: float, ramp_s: float) -> Callable[[float], float]:
    """Rate rising linearly from 0 to `rate` over ramp_s seconds, then flat."""
    knee = rate * ramp_s / 2

    def inv(s: float) -> float:
        return math.sqrt(2 * ramp_s * s / rate) if s < knee else ramp_s + (s - knee) / rate
    return inv


def arrival_offsets(kind: str, rate: float, burstiness: float = 1.0, seed: int = 0,
                    timestamps: list[float] | None = None, ramp_up_s: float = 0.0,
                    rate_series: list[tuple[float, float]] | None = None) -> Iterator[float]:
    """Endless (or, for replay, finite) non-decreasing arrival offsets in seconds."""
    if (ramp_up_s or rate_series) and kind in ("poisson", "gamma", "constant"):
        inv = _inverse_cumulative(rate_series) if rate_series else _ramp_inverse(rate, ramp_up_s)
        for s in arrival_offsets(kind, 1.0, burstiness, seed):
            yield inv(s)
        return
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
