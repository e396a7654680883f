"""Benchmark: wall time of the main job (`semibench run`, the offline default), first and repeated, step by step.

    python bench/run_timing.py                      # this checkout
    python bench/run_timing.py --project ../main    # another checkout (its .venv), for a before/after
    python bench/run_timing.py --repeats 3          # more repeated runs

Each run is the real CLI in a child process against a scratch workspace: a first run on an empty
warehouse, then repeated runs with nothing new to land (the usual scheduled run), then one `--full-build`
repeat when the checkout knows that option. Prints the wall seconds of each run, the seconds of each step
from the run log, and how many dbt nodes the build ran."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent.parent


def run(project: Path, root: Path, *args: str) -> tuple[float, str]:
    env = dict(os.environ)
    env.update(SEMIBENCH_WAREHOUSE=str(root / "warehouse" / "semibench.duckdb"),
               SEMIBENCH_PUBLISHED=str(root / "published" / "semibench.duckdb"),
               SEMIBENCH_ARCHIVE=str(root / "archive"), SEMIBENCH_REPORTS=str(root / "reports"),
               DBT_TARGET_PATH=str(root / "target"), DBT_LOG_PATH=str(root / "logs"))
    python = project / ".venv" / "bin" / "python"
    t0 = time.perf_counter()
    proc = subprocess.run([str(python), "-m", "semibench.cli", "run", "--quiet", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        sys.exit(f"semibench run {' '.join(args)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout


def steps_of_last_run(root: Path) -> dict[str, float]:
    with duckdb.connect(str(root / "published" / "semibench.duckdb"), read_only=True) as con:
        rows = con.execute("""select name, seconds from pipeline_run_steps
                              where run_id = (select max(run_id) from pipeline_run_steps) order by ordinal""").fetchall()
    return dict(rows)


def dbt_nodes(root: Path) -> int:
    return len(json.loads((root / "target" / "run_results.json").read_text())["results"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", type=Path, default=HERE, help="checkout to time (uses its .venv; default: this one)")
    ap.add_argument("--repeats", type=int, default=2, help="repeated runs with nothing new (default 2)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch workspace and print its path")
    args = ap.parse_args()
    project = args.project.resolve()
    knows_full_build = "--full-build" in subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-m", "semibench.cli", "run", "--help"],
        capture_output=True, text=True, cwd=project, env={**os.environ, "COLUMNS": "300"}).stdout
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, Python {platform.python_version()}; "
          f"checkout {project}")
    root = Path(tempfile.mkdtemp(prefix="semibench-run-timing-"))
    try:
        plan = [("first run", [])] + [(f"repeat {i + 1}", []) for i in range(args.repeats)]
        if knows_full_build:
            plan.append(("repeat --full-build", ["--full-build"]))
        rows = []
        for label, extra in plan:
            wall, _ = run(project, root, *extra)
            rows.append((label, wall, steps_of_last_run(root), dbt_nodes(root)))
        names = list(rows[0][2])
        print(f"{'run':<22}{'wall s':>8}{'nodes':>7}  " + "".join(f"{n[:10]:>11}" for n in names))
        for label, wall, steps, nodes in rows:
            print(f"{label:<22}{wall:8.1f}{nodes:7d}  " + "".join(f"{steps.get(n, 0):11.2f}" for n in names))
    finally:
        if args.keep:
            print(f"scratch kept at {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
