"""Is the server past saturation? The judge of one find-max step, and the live guard that
stops a run early once the server is clearly overloaded.

Both read the same signals, defined once here (and mirrored in SQL by the knee mart,
models/marts/loadgen/mart_loadgen__knee.sql):

* achieved rate = (successful completions - 1) / (last completion - first completion).
  Completions are spaced like arrivals while the server keeps up, and at the server's
  own pace once it does not; the span excludes the ramp-up and the drain that a plain
  completed/duration would count.
* TTFT growth = median TTFT of the last third of the requests (by send time) over that
  of the first third. A queue that grows without bound shows as TTFT rising through the
  step; a stable queue, however long, does not.
* SLO attainment = fraction of successful requests meeting every --goodput SLO.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

# Defaults, shared by the CLI help, the judge and (as dbt vars) the knee mart.
MIN_ACHIEVED_RATIO = 0.9     # achieved / offered below this = the server no longer keeps up
MAX_TTFT_GROWTH = 2.0        # last-third / first-third median TTFT above this = queue grows
TTFT_GROWTH_FLOOR_MS = 20.0  # ... and by at least this much (sub-ms TTFTs are all noise)
MIN_SLO_ATTAINMENT = 0.95    # of successful requests meeting every SLO
MAX_STEP_ERROR_RATE = 0.05


def achieved_rate(records: list[dict]) -> float | None:
    ends = sorted(r["send_offset_ns"] + r["chunk_ns"][-1] for r in records
                  if r["success"] and r["chunk_ns"])
    if len(ends) < 3 or ends[-1] <= ends[0]:
        return None
    return (len(ends) - 1) / ((ends[-1] - ends[0]) / 1e9)


def ttft_growth(records: list[dict]) -> tuple[float | None, float | None, float | None]:
    """(growth ratio, first-third median ms, last-third median ms) over successful requests."""
    ok = sorted((r for r in records if r["success"] and r["ttft_ms"] is not None),
                key=lambda r: r["send_offset_ns"])
    if len(ok) < 6:
        return None, None, None
    k = len(ok) // 3
    first = statistics.median(r["ttft_ms"] for r in ok[:k])
    last = statistics.median(r["ttft_ms"] for r in ok[-k:])
    return (last / first if first > 0 else None), first, last


def slo_attainment(records: list[dict], goodput: dict[str, float]) -> float | None:
    ok = [r for r in records if r["success"]]
    if not goodput or not ok:
        return None
    good = sum(1 for r in ok if all(
        {"ttft": r["ttft_ms"], "tpot": r["tpot_ms"] or 0.0, "e2el": r["e2el_ms"]}[m] <= v
        for m, v in goodput.items()))
    return good / len(ok)


@dataclass
class StepVerdict:
    passed: bool
    reasons: list[str] = field(default_factory=list)   # why it failed (empty when passed)
    achieved_rate: float | None = None
    achieved_ratio: float | None = None
    ttft_growth: float | None = None
    slo_attainment: float | None = None
    error_rate: float | None = None

    def as_dict(self) -> dict:
        return {"passed": self.passed, "reasons": self.reasons, "achieved_rate": self.achieved_rate,
                "achieved_ratio": self.achieved_ratio, "ttft_growth": self.ttft_growth,
                "slo_attainment": self.slo_attainment, "error_rate": self.error_rate}


def judge_step(records: list[dict], *, offered_rate: float | None, goodput: dict[str, float],
               stopped_early: str | None = None, min_achieved_ratio: float = MIN_ACHIEVED_RATIO,
               max_ttft_growth: float = MAX_TTFT_GROWTH, min_slo_attainment: float = MIN_SLO_ATTAINMENT,
               max_error_rate: float = MAX_STEP_ERROR_RATE) -> StepVerdict:
    """Did this step's load stay within what the server sustains and within the SLOs?
    offered_rate None = a closed-loop (concurrency) step: no achieved-vs-offered test."""
    main = [r for r in records if not r["warmup"] and r["error_class"] != "cancelled"]
    v = StepVerdict(passed=True)
    if not main:
        return StepVerdict(False, ["no request finished"])
    v.error_rate = sum(1 for r in main if not r["success"]) / len(main)
    v.achieved_rate = achieved_rate(main)
    v.ttft_growth, first, last = ttft_growth(main)
    v.slo_attainment = slo_attainment(main, goodput)
    if stopped_early:
        v.reasons.append(f"stopped early: {stopped_early}")
    if v.error_rate > max_error_rate:
        v.reasons.append(f"error rate {v.error_rate:.1%} > {max_error_rate:.0%}")
    if offered_rate is not None and v.achieved_rate is not None:
        v.achieved_ratio = v.achieved_rate / offered_rate
        if v.achieved_ratio < min_achieved_ratio:
            v.reasons.append(f"achieved {v.achieved_rate:.2f} req/s of {offered_rate:.2f} offered "
                             f"({v.achieved_ratio:.0%} < {min_achieved_ratio:.0%})")
    if v.ttft_growth is not None and v.ttft_growth > max_ttft_growth \
            and last - first >= TTFT_GROWTH_FLOOR_MS:
        v.reasons.append(f"TTFT grows through the step: median {first:.0f} -> {last:.0f} ms")
    if v.slo_attainment is not None and v.slo_attainment < min_slo_attainment:
        v.reasons.append(f"SLOs met by {v.slo_attainment:.1%} of requests < {min_slo_attainment:.0%}")
    v.passed = not v.reasons
    return v


class SaturationGuard:
    """Watches a running open-loop run from its ticker and says when to stop it.

    Two signals, either one enough: (1) requests released by the arrival process but not
    yet sent (waiting for a client concurrency slot) exceed `max_backlog`: that queue only
    grows when the server does not keep up; (2) the outstanding count (backlog + in flight)
    rose on every one of the last `window` samples to over twice its value at the start of
    the window, while the median TTFT of requests finished since then is over twice the
    run's early median: the server's own queue grows without bound.
    """

    def __init__(self, max_backlog: int | None, window: int = 6, min_ttfts: int = 16):
        self.max_backlog = max_backlog
        self.window = window
        self.min_ttfts = min_ttfts
        self.outstanding: list[int] = []
        self.ttfts: list[float] = []       # appended by the runner, per finished request
        self.baseline_ttft: float | None = None
        self._marks: list[int] = []        # len(ttfts) at each sample

    def sample(self, backlog: int, inflight: int) -> str | None:
        if self.max_backlog is not None and backlog > self.max_backlog:
            return f"{backlog} requests waiting to be sent (> {self.max_backlog}): the server does not keep up"
        if self.baseline_ttft is None and len(self.ttfts) >= self.min_ttfts:
            self.baseline_ttft = statistics.median(self.ttfts[:self.min_ttfts])
        self.outstanding.append(backlog + inflight)
        self._marks.append(len(self.ttfts))
        w = self.window
        if len(self.outstanding) <= w or self.baseline_ttft is None:
            return None
        recent = self.outstanding[-(w + 1):]
        rising = all(b > a for a, b in zip(recent, recent[1:])) and recent[-1] > 2 * max(recent[0], 1)
        since = self.ttfts[self._marks[-(w + 1)]:]
        if not rising or len(since) < 4:
            return None
        med = statistics.median(since)
        if med > 2 * self.baseline_ttft and med - self.baseline_ttft >= TTFT_GROWTH_FLOOR_MS:
            return (f"outstanding requests grew {recent[0]} -> {recent[-1]} and median TTFT "
                    f"{self.baseline_ttft:.0f} -> {med:.0f} ms: past saturation")
        return None
