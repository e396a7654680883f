"""Benchmark: ingest + dbt build time for the bundled sample and for a synthetic year of daily snapshots,
then the incremental build after landing one more daily snapshot on top of that history.

    python bench/inferencemax_pipeline.py                 # sample + 365 days x ~8,200 points (~3M points)
    python bench/inferencemax_pipeline.py --days 30       # a shorter history
    python bench/inferencemax_pipeline.py --skip-history  # sample only

Prints wall-clock seconds and rows/s for each step. Everything runs in a scratch directory. The update after
one more snapshot is timed twice: a whole `dbt build` (every model, incremental ones process only the new
snapshot; every data and unit test) and the build `semibench run` does (semibench.build_scope: only what
the changed sources feed, data tests only, no unit tests)."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from ingest.config import load_config  # noqa: E402
from ingest.inferencemax import ingest_inferencemax  # noqa: E402
from semibench_core import paths  # noqa: E402
from semibench.dbt_runner import run_dbt  # noqa: E402


def timed(label, fn):
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    return out, dt


def raw_points(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select count(*) from raw.inferencemax_points").fetchone()[0]
    finally:
        con.close()


def build(warehouse: Path, target: Path, args: list[str] | None = None) -> float:
    result, dt = timed("build", lambda: run_dbt(["build", *(args or [])], warehouse=warehouse, target_dir=target))
    if not result.ok:
        print("\n".join(result.output_tail[-20:]))
        raise SystemExit("dbt build failed")
    build.nodes = len(result.nodes)
    return dt


def scoped_build(warehouse: Path, target: Path) -> tuple[float, str]:
    """What `semibench run`'s build step does: plan the scope, build it, record its inputs."""
    from semibench import build_scope
    from semibench.pipeline import RUN_EXCLUDES

    t0 = time.perf_counter()
    scope = build_scope.plan_scope(warehouse, target)
    build(warehouse, target, [*scope.dbt_args(), *RUN_EXCLUDES])
    build_scope.record_inputs(warehouse, target, scope)
    return time.perf_counter() - t0, scope.describe()


def bench_sample(scratch: Path) -> None:
    wh, target = scratch / "sample" / "wh.duckdb", scratch / "sample" / "target"
    config = load_config(None)
    res, t_ingest = timed("ingest", lambda: ingest_inferencemax(
        config, from_dir=paths.sample_dir(), warehouse=wh, archive_root=scratch / "sample" / "archive", progress=False))
    t_build = build(wh, target)
    print(f"sample    ingest {res.record_count:>9,} points {t_ingest:7.2f} s {res.record_count / t_ingest:>10,.0f} points/s")
    print(f"sample    dbt build                {t_build:7.2f} s {res.record_count / t_build:>10,.0f} points/s")


def bench_history(scratch: Path, days: int, points: int) -> None:
    from bench.synth_history import default_plan, write_history

    src = scratch / "history-src"
    start = date(2025, 1, 1)
    # one extra day, landed after the full build to time the incremental build of a new daily snapshot
    # (the plan of a `days`-long history, so those days are what they were before the extra one existed)
    all_dirs, t_gen = timed("generate", lambda: write_history(src, days + 1, points, start, plan=default_plan(days)))
    dirs, next_day = sorted(all_dirs)[:days], sorted(all_dirs)[days]
    wh, target = scratch / "history" / "wh.duckdb", scratch / "history" / "target"
    archive = scratch / "history" / "archive"
    config = load_config(None)
    t0 = time.perf_counter()
    landed = 0

    def land(i, d):
        fetched = datetime.combine(start + timedelta(days=i), datetime.min.time(), tzinfo=timezone.utc).replace(hour=6)
        return ingest_inferencemax(config, from_dir=d, warehouse=wh, archive_root=archive, progress=False, fetched_at=fetched)

    for i, d in enumerate(dirs):
        r = land(i, d)
        landed += r.record_count if r.was_new else 0
        if (i + 1) % 30 == 0 or i + 1 == len(dirs):
            print(f"  ingested {i + 1}/{len(dirs)} snapshots, {landed:,} points, {time.perf_counter() - t0:.1f} s",
                  file=sys.stderr)
    t_ingest = time.perf_counter() - t0
    total = raw_points(wh)
    t_build = build(wh, target)
    size_mb = wh.stat().st_size / 1e6
    print(f"history   generate {len(dirs)} days         {t_gen:7.2f} s (input files, not part of the pipeline)")
    print(f"history   ingest {total:>9,} points {t_ingest:7.2f} s {total / t_ingest:>10,.0f} points/s "
          f"({len(dirs)} snapshots, {t_ingest / len(dirs) * 1000:.0f} ms each)")
    print(f"history   dbt build (full)         {t_build:7.2f} s {total / t_build:>10,.0f} points/s  warehouse {size_mb:,.0f} MB")
    t_rebuild = build(wh, target)
    print(f"history   dbt build (nothing new)  {t_rebuild:7.2f} s  (incremental models find nothing to process)")
    from semibench import build_scope

    build_scope.record_inputs(wh, target, build_scope.BuildScope(full=True, reason="bench"))
    copy = wh.with_name("wh-copy.duckdb")
    shutil.copy(wh, copy)
    r, t_land = timed("ingest", lambda: land(days, next_day))
    t_incr = build(wh, target)
    nodes_all = build.nodes
    print(f"history   ingest 1 more snapshot   {t_land:7.2f} s {r.record_count:>10,} points")
    print(f"history   dbt build (incremental)  {t_incr:7.2f} s  {nodes_all} nodes, after 1 new snapshot on {len(dirs)} "
          f"(full build {t_build:.2f} s: {t_build / t_incr:.1f}x)")
    # the same landing on the copy, built as `semibench run` builds it
    wh.rename(wh.with_name("wh-done.duckdb"))
    copy.rename(wh)
    land(days, next_day)
    t_scoped, what = scoped_build(wh, target)
    print(f"history   run's build (scoped)     {t_scoped:7.2f} s  {build.nodes} nodes: {what}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=365, help="daily snapshots in the synthetic history")
    ap.add_argument("--points", type=int, default=8200, help="points per snapshot (both data types)")
    ap.add_argument("--skip-history", action="store_true", help="only benchmark the bundled sample")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory and print its path")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, duckdb {duckdb.__version__}")
    scratch = Path(tempfile.mkdtemp(prefix="semibench-bench-"))
    try:
        bench_sample(scratch)
        if not args.skip_history:
            bench_history(scratch, args.days, args.points)
    finally:
        if args.keep:
            print(f"scratch kept at {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
