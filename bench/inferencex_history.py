"""Ingest + build time of the InferenceX history: the shared API fixtures, then an N-times synthetic history.

    python bench/inferencex_history.py [--shared ../shared] [--scale 100] [--workdir DIR] [--keep]

For each of the two histories, in a fresh warehouse under a temp dir (never a production path): land the
agg_bmk.json artifacts and the 2025-10-23 dashboard snapshot (untimed: the unified model reads them), then
time `semibench ingest inferencex --from DIR` and one `dbt build` of the InferenceX models
(`+tag:inferencex_marts tag:inferencex`), and count the results. Then the daily update: land one more
capture (today's `benchmarks` response: the real one moved a day past the history's newest date, new run
ids) and time the second, incremental build, with how many records it parsed (the JSON parse is the
incremental step: base_inferencex__parsed_records). The synthetic history repeats every real
`benchmarks/history` record N times (copy k: date k*3 days earlier, GitHub run id + k * 10^11, so every copy
is a distinct result) and flags each copy `"synthetic": true`; the other routes are the real files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DBT_SELECT = ["build", "--select", "+tag:inferencex_marts", "tag:inferencex", "--indirect-selection", "cautious"]


def synthetic_history(fixtures: Path, out: Path, scale: int) -> int:
    """Write the fixtures with an N-times benchmarks-history.json into `out`; returns its record count."""
    out.mkdir(parents=True)
    for f in fixtures.glob("*.json"):
        if f.name != "benchmarks-history.json":
            shutil.copy(f, out / f.name)
    real = json.loads((fixtures / "benchmarks-history.json").read_text())
    rows = []
    for k in range(scale):
        for r in real:
            if k == 0:
                rows.append(r)
                continue
            day = (date.fromisoformat(r["date"][:10]) - timedelta(days=3 * k)).isoformat()
            url = re.sub(r"/runs/(\d+)", lambda m: f"/runs/{int(m.group(1)) + k * 10**11}", r.get("run_url") or "")
            rows.append({**r, "date": day, "run_url": url, "synthetic": True})
    (out / "benchmarks-history.json").write_text(json.dumps(rows))
    return len(rows)


def run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 3):  # 3 = landed with quarantined records
        sys.exit(f"error: {' '.join(cmd[2:5])} exited {proc.returncode}: {(proc.stdout + proc.stderr).strip()[-400:]}")
    return took


def measure(label: str, api_dir: Path, shared: Path, root: Path) -> dict:
    root.mkdir(parents=True)
    env = dict(os.environ, SEMIBENCH_WAREHOUSE=str(root / "wh.duckdb"), SEMIBENCH_ARCHIVE=str(root / "archive"),
               DBT_TARGET_PATH=str(root / "target"), DBT_LOG_PATH=str(root / "logs"))
    cli = [sys.executable, "-m", "semibench.cli"]
    run(cli + ["ingest", "vllm-results", str(shared / "inferencemax" / "agg_results")], env)
    run(cli + ["ingest", "inferencemax", "--from", str(shared / "inferencemax" / "dashboard" / "2025-10-23"),
               "--fetched-at", "2025-10-23T06:00:00Z"], env)
    ingest_s = run(cli + ["ingest", "inferencex", "--from", str(api_dir), "--fetched-at", "2026-06-15T00:00:00Z"], env)
    build_s = run([sys.executable, "-m", "dbt.cli.main", *DBT_SELECT, "--project-dir", str(PROJECT),
                   "--profiles-dir", str(PROJECT)], env)
    records, results, latest = counts(root / "wh.duckdb")
    update = next_day_capture(api_dir, root / "next-day")
    update_ingest_s = run(cli + ["ingest", "inferencex", "--from", str(update), "--fetched-at",
                                 "2026-06-16T00:00:00Z"], env)
    update_build_s = run([sys.executable, "-m", "dbt.cli.main", *DBT_SELECT, "--project-dir", str(PROJECT),
                          "--profiles-dir", str(PROJECT)], env)
    results_after = counts(root / "wh.duckdb")[1]
    return {"history": label, "raw_records": records, "api_results": results, "latest_rows": latest,
            "ingest_s": round(ingest_s, 1), "build_s": round(build_s, 1),
            "update_ingest_s": round(update_ingest_s, 1), "update_build_s": round(update_build_s, 1),
            "update_parsed_records": parsed_by_last_build(root / "wh.duckdb"),
            "update_new_results": results_after - results}


def counts(warehouse: Path) -> tuple[int, int, int]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("""
            select (select count(*) from raw.inferencex_records),
                   (select count(*) from main.fct_inferencemax_results where source_family = 'api'),
                   (select count(*) from main.mart_inferencemax__latest_results)""").fetchone()


def next_day_capture(api_dir: Path, out: Path) -> Path:
    """Today's `benchmarks` response: the real rows dated a day after the newest history date, new run ids."""
    out.mkdir(parents=True)
    history = json.loads((api_dir / "benchmarks-history.json").read_text())
    newest = max(date.fromisoformat(r["date"][:10]) for r in history)
    rows = []
    for r in json.loads((api_dir / "benchmarks.json").read_text()):
        url = re.sub(r"/runs/(\d+)", lambda m: f"/runs/{int(m.group(1)) + 9 * 10**12}", r.get("run_url") or "")
        rows.append({**r, "date": (newest + timedelta(days=1)).isoformat(), "run_url": url, "synthetic": True})
    (out / "benchmarks.json").write_text(json.dumps(rows))
    return out


def parsed_by_last_build(warehouse: Path) -> int:
    """Records the last build parsed (base_inferencex__parsed_records.parsed_at is the build's statement time)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("""select count(*) from staging.base_inferencex__parsed_records
                              where parsed_at = (select max(parsed_at) from staging.base_inferencex__parsed_records)""").fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=PROJECT.parent / "shared",
                    help="the shared reference dir holding inferencemax/api_v1_fixtures, agg_results, dashboard")
    ap.add_argument("--scale", type=int, default=100, help="copies of the real history in the synthetic one")
    ap.add_argument("--workdir", type=Path, default=None, help="scratch dir (default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir (warehouses, synthetic files)")
    args = ap.parse_args()
    fixtures = args.shared / "inferencemax" / "api_v1_fixtures"
    if not fixtures.is_dir():
        sys.exit(f"error: {fixtures} not found (--shared)")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="semibench-ix-bench-"))
    try:
        rows = [measure("fixtures (1x)", fixtures, args.shared, work / "real")]
        synth = work / "synthetic-history"
        n = synthetic_history(fixtures, synth, args.scale)
        rows.append(measure(f"synthetic ({args.scale}x, {n} history records)", synth, args.shared, work / "synth"))
        cols = list(rows[0])
        print(" | ".join(cols))
        for r in rows:
            print(" | ".join(str(r[c]) for c in cols))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
