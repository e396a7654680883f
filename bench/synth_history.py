"""Synthetic InferenceMAX history: one directory of 18 served-name files per day.

    python bench/synth_history.py --out DIR --days 365 --points-per-snapshot 8200 [--start 2025-01-01]

Built on the sample generator (:mod:`sample_data.generators.sample_inferencemax`) with its scaled configuration
universe (more tp / concurrency levels, extra hwKeys such as b300, gb300, mi355x_sglang, h200_vllm).
``points_per_snapshot`` counts the points of one full snapshot across all 18 files (both data types,
so half of it per type); days on which a hwKey is not (yet / temporarily) benchmarked hold fewer.

Day-to-day drift, all deterministic for a given seed (see :class:`HistoryPlan`):

* throughput and interactivity improve slowly per hwKey (software), plus a few step releases,
  with small per-configuration day noise (curves stay monotonic in concurrency);
* a hwKey appears on some day (absent before), another disappears for a few days (coverage loss);
* on "unchanged" days the files are byte-identical to the previous day's (a re-fetch of unchanged
  content).

Base curves are computed once; each day only rescales them, recomputes roofs and serialises, and an
unchanged day re-writes the previous day's text.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sample_data.generators.sample_inferencemax import (  # noqa: E402
    DEFAULT_SEED,
    LENGTH_RATIO,
    SEQUENCES,
    Curve,
    Run,
    ScaleSpec,
    curve,
    scale_configs,
    snapshot_files,
)


@dataclass
class HistoryPlan:
    """What happens when, by day index (0 = the start date)."""

    appear: dict[str, int] = field(default_factory=dict)  # hwKey -> first day it is benchmarked
    drop: dict[str, tuple[int, int]] = field(default_factory=dict)  # hwKey -> (first missing day, n days)
    unchanged_days: frozenset[int] = frozenset()  # content identical to the previous day
    releases: dict[str, tuple[int, float]] = field(default_factory=dict)  # hwKey -> (day, speed-up)

    def present(self, hw_key: str, day: int) -> bool:
        first = self.appear.get(hw_key)
        if first is not None and day < first:
            return False
        gap = self.drop.get(hw_key)
        return not (gap is not None and gap[0] <= day < gap[0] + gap[1])


def default_plan(days: int) -> HistoryPlan:
    """gb300 appears 30 % into the period (gb300_mtp a little later), mi325x vanishes for 4 days at 60 %, about every 29th day
    is a re-fetch of unchanged content, two engine releases bring step speed-ups."""
    unchanged = frozenset(d for d in range(1, days) if d % 29 == 13)
    return HistoryPlan(
        appear={"gb300": max(1, days * 3 // 10), "gb300_mtp": max(1, days * 35 // 100)} if days > 1 else {},
        drop={"mi325x": (max(1, days * 6 // 10), min(4, max(1, days // 10)))} if days > 2 else {},
        unchanged_days=unchanged,
        releases={"mi355x": (days * 45 // 100, 1.08), "b200_trt": (days * 7 // 10, 1.06)},
    )


def _hw_growth(hw_keys: list[str], seed: int) -> dict[str, float]:
    """Annual software improvement per hwKey (8-30 %)."""
    rng = random.Random(f"{seed}|growth")
    return {hw: rng.uniform(0.08, 0.30) for hw in sorted(hw_keys)}


def _scaled(cv: Curve, mi: float, my: float) -> Curve:
    osl_eff = SEQUENCES[cv.config.sequence][1] * LENGTH_RATIO
    runs = []
    for r in cv.runs:
        intvty = r.intvty * mi
        runs.append(Run(r.conc, intvty, r.ttft, r.ttft + osl_eff / intvty, r.tput * my))
    return Curve(cv.config, runs, cv.extras, cv.spread)


def day_curves(base: list[Curve], day: int, plan: HistoryPlan, growth: dict[str, float], seed: int) -> list[Curve]:
    """The curves benchmarked on ``day``: base curves rescaled by drift and day noise."""
    rng = random.Random(f"{seed}|day|{day}")
    years = day / 365.0
    factor: dict[str, float] = {}
    out = []
    for cv in base:  # draw for every curve, present or not: other curves' noise never shifts
        n_common = rng.gauss(0.0, 0.006)
        n_y = rng.gauss(0.0, 0.003)
        hw = cv.config.hw_key
        if not plan.present(hw, day):
            continue
        f = factor.get(hw)
        if f is None:
            f = (1.0 + growth[hw]) ** years
            rel = plan.releases.get(hw)
            if rel is not None and day >= rel[0]:
                f *= rel[1]
            factor[hw] = f
        out.append(_scaled(cv, math.sqrt(f) * (1.0 + n_common), f * (1.0 + n_common + n_y)))
    return out


def write_history(out: Path, days: int, points_per_snapshot: int, start: date, *,
                  plan: HistoryPlan | None = None, seed: int = DEFAULT_SEED,
                  scale: ScaleSpec | None = None, progress: bool = False) -> list[Path]:
    """Write ``days`` daily snapshot directories ``out/<YYYY-MM-DD>/`` (18 files each); return them."""
    out = Path(out)
    plan = plan if plan is not None else default_plan(days)
    configs = scale_configs(points_per_snapshot // 2, scale, seed)
    base = [curve(c, seed) for c in configs]
    growth = _hw_growth(list({c.hw_key for c in configs}), seed)
    t0 = time.perf_counter()
    dirs: list[Path] = []
    files: dict[str, str] | None = None
    total_points = total_bytes = 0
    for day in range(days):
        d = out / (start + timedelta(days=day)).isoformat()
        d.mkdir(parents=True, exist_ok=True)
        if files is None or day not in plan.unchanged_days:
            cvs = day_curves(base, day, plan, growth, seed)
            files = snapshot_files(cvs)
            n_points = 2 * sum(len(cv.runs) for cv in cvs)
        for name, text in files.items():
            data = text.encode()
            (d / name).write_bytes(data)
            total_bytes += len(data)
        total_points += n_points
        dirs.append(d)
        if progress and (day % 30 == 0 or day == days - 1):
            el = time.perf_counter() - t0
            print(f"  day {day + 1:>4}/{days} {d.name}: {n_points} points; total {total_points:,} points, "
                  f"{total_bytes / 1e6:,.1f} MB, {el:.1f} s", flush=True)
    if progress:
        el = time.perf_counter() - t0
        print(f"wrote {len(dirs)} snapshot dirs {dirs[0].name} .. {dirs[-1].name} under {out}")
        print(f"total {total_points:,} points, {total_bytes:,} bytes in {el:.1f} s "
              f"({total_points / max(el, 1e-9):,.0f} points/s)")
        for hw, first in plan.appear.items():
            if first < days:
                print(f"  {hw} appears on {(start + timedelta(days=first)).isoformat()}")
        for hw, (first, n) in plan.drop.items():
            if first < days:
                print(f"  {hw} missing {n} day(s) from {(start + timedelta(days=first)).isoformat()}")
        same = sorted(d for d in plan.unchanged_days if 0 < d < days)
        if same:
            print(f"  unchanged (re-fetched) days: {', '.join((start + timedelta(days=d)).isoformat() for d in same)}")
    return dirs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic daily InferenceMAX history.")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--points-per-snapshot", type=int, default=8200,
                    help="points per full snapshot, all 18 files (half per data type)")
    ap.add_argument("--start", type=date.fromisoformat, default=date(2025, 1, 1))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    if args.days < 1 or args.points_per_snapshot < 2:
        ap.error("--days and --points-per-snapshot must be positive")
    write_history(args.out, args.days, args.points_per_snapshot, args.start, seed=args.seed, progress=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
