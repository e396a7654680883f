"""Request traces at scale on DuckDB: generate N synthetic requests, `dbt build` the trace models, add one
run, build again incrementally; print wall time, rows/s, peak RSS of dbt, spill and warehouse size.

    python -m bench.warehouse_scale --requests 1000000 [--requests-per-run 100000] [--chunks 8 24]
        [--workdir DIR] [--memory-limit 8GB] [--json OUT]

Steps (each dbt step is `dbt build --select +fct_runs +fct_requests --indirect-selection cautious`: the
trace models, everything up to fct_runs and every test on them, including the full-table data tests):

  1. generate  N main-phase requests in runs of --requests-per-run (bench/warehouse_scale/generate.py,
               straight into raw.loadgen_* with DuckDB SQL; no JSONL)
  2. full      first build (int_loadgen__chunks, fct_requests created from scratch)
  3. noop      build again, nothing new (the incremental models select nothing)
  4. +1 run    land one more run of --requests-per-run requests, build (only that run is modelled)
  5. refresh   `--full-refresh` build of the same data, for the incremental speed-up

Peak RSS is the dbt process's VmHWM (Linux /proc), polled every 0.2 s; DuckDB runs inside it. Spill is
the largest size the DuckDB temp directory reached while polling. Timings are wall clock on a shared
machine: treat them as upper bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from bench.warehouse_scale.generate import generate, plan
from semibench_core import paths
from semibench.dbt_runner import dbt_env, read_run_results

SELECT = ["--select", "+fct_runs", "+fct_requests", "--indirect-selection", "cautious"]
TRACE_MODELS = ["model.semibench.int_loadgen__chunks", "model.semibench.fct_requests",
                "model.semibench.int_runs__loadgen", "model.semibench.fct_runs"]


@dataclass
class Step:
    name: str
    seconds: float
    peak_rss_mb: float
    peak_spill_mb: float
    warehouse_mb: float
    ok: bool
    model_seconds: dict[str, float] = field(default_factory=dict)
    tests_seconds: float = 0.0
    slowest_tests: list[tuple[str, float]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def _dir_bytes(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def proc_status_kb(pid: int, field: str) -> int:
    """A kB field of /proc/<pid>/status (VmRSS, VmHWM); 0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_sampled(cmd: list[str], env: dict[str, str], log: Path, sample, interval_s: float) -> tuple[int, float]:
    """Run `cmd` from the project dir, output to `log`, calling sample(pid) every interval_s until it exits.
    Returns (exit code, wall seconds)."""
    t0 = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=paths.PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()

        def poll():
            while not done.is_set():
                sample(proc.pid)
                done.wait(interval_s)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        rc = proc.wait()
        done.set()
        poller.join()
    return rc, time.monotonic() - t0


def warehouse_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def run_dbt_measured(name: str, args: list[str], warehouse: Path, target: Path, log: Path) -> Step:
    env = dbt_env(warehouse, target)
    env.setdefault("SEMIBENCH_DUCKDB_TEMP_DIR", str(warehouse) + ".tmp")
    spill_dir = Path(env["SEMIBENCH_DUCKDB_TEMP_DIR"])
    cmd = [sys.executable, "-m", "dbt.cli.main", *args,
           "--project-dir", str(paths.PROJECT_DIR), "--profiles-dir", str(paths.PROJECT_DIR)]
    peak = {"rss_kb": 0, "spill": 0}

    def sample(pid: int) -> None:
        peak["rss_kb"] = max(peak["rss_kb"], proc_status_kb(pid, "VmHWM"))
        if spill_dir.exists():
            peak["spill"] = max(peak["spill"], _dir_bytes(spill_dir))

    rc, seconds = run_sampled(cmd, env, log, sample, 0.2)
    nodes = read_run_results(target / "run_results.json")
    timings = json.loads((target / "run_results.json").read_text())["results"] if (target / "run_results.json").exists() else []
    bad = [n for n in nodes if n.status in ("error", "fail")]
    model_seconds = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2)
                     for r in timings if r["unique_id"] in TRACE_MODELS}
    tests = [(r["unique_id"].split(".")[2], r["execution_time"]) for r in timings if r["unique_id"].startswith("test.")]
    return Step(name, round(seconds, 1), round(peak["rss_kb"] / 1024, 0), round(peak["spill"] / 2**20, 0),
                round(warehouse_bytes(warehouse) / 2**20, 0), rc == 0 and not bad, model_seconds,
                round(sum(t for _, t in tests), 1),
                [(n, round(t, 1)) for n, t in sorted(tests, key=lambda x: -x[1])[:5]])


def table_rows(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for t in ("raw.loadgen_runs", "raw.loadgen_requests", "intermediate.int_loadgen__chunks", "main.fct_requests",
                  "main.fct_runs"):
            try:
                out[t] = con.execute(f"select count(*) from {t}").fetchone()[0]
            except duckdb.Error:
                out[t] = -1
        return out
    finally:
        con.close()


def estimated_rows(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {f"{s}.{t}": int(b) for s, t, b in con.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() where table_name like '%loadgen%' "
            "or table_name in ('fct_requests')").fetchall()}
    finally:
        con.close()


def add_data_args(p: argparse.ArgumentParser) -> None:
    """What to generate: shared by this benchmark and its Spark twin, so both measure the same data."""
    p.add_argument("--requests", type=int, required=True, help="main-phase requests to generate (e.g. 1000000)")
    p.add_argument("--requests-per-run", type=int, default=100_000, help="requests per run (also the added run's size)")
    p.add_argument("--chunks", type=int, nargs=2, default=(8, 24), metavar=("MIN", "MAX"), help="chunks per request")
    p.add_argument("--seed", type=int, default=0, help="generator seed")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.warehouse_scale", description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_args(p)
    p.add_argument("--workdir", type=Path, help="where the warehouse goes (default: a new temp dir, removed unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--memory-limit", help="SEMIBENCH_DUCKDB_MEMORY_LIMIT for the dbt builds (default: the profile's, 8GB)")
    p.add_argument("--skip-refresh", action="store_true", help="skip step 5 (the --full-refresh build)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    a = p.parse_args(argv)

    if a.memory_limit:
        os.environ["SEMIBENCH_DUCKDB_MEMORY_LIMIT"] = a.memory_limit
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="warehouse-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "wh" / "semibench.duckdb"
    if warehouse.exists():
        p.error(f"{warehouse} exists: give an empty --workdir")
    say = lambda s: print(s, flush=True)  # noqa: E731
    say(f"warehouse-scale: {a.requests:,} requests, runs of {a.requests_per_run:,}, chunks {a.chunks[0]}-{a.chunks[1]}, "
        f"workdir {workdir}")
    say(f"machine: {platform.node()} {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, duckdb {duckdb.__version__}, "
        f"memory_limit {os.environ.get('SEMIBENCH_DUCKDB_MEMORY_LIMIT', '8GB (profile default)')}")

    specs = plan(a.requests, a.requests_per_run, seed=a.seed, chunks=tuple(a.chunks))
    gen = generate(warehouse, specs, seed=a.seed, progress=None)
    raw_mb = warehouse_bytes(warehouse) / 2**20
    rows0 = table_rows(warehouse)
    say(f"generate  {gen['request_rows']:,} request rows ({gen['runs']} runs) in {gen['seconds']:.1f} s "
        f"= {gen['request_rows'] / gen['seconds']:,.0f} rows/s; raw warehouse {raw_mb:,.0f} MiB")

    steps: list[Step] = []

    def build(name: str, *extra: str) -> Step:
        step = run_dbt_measured(name, ["build", *SELECT, *extra], warehouse, workdir / f"target-{name}",
                                workdir / f"dbt-{name}.log")
        step.rows = table_rows(warehouse)
        steps.append(step)
        say(f"{name:<9} {'ok' if step.ok else 'FAILED'} {step.seconds:>8.1f} s  peak RSS {step.peak_rss_mb:>7,.0f} MiB  "
            f"spill {step.peak_spill_mb:>7,.0f} MiB  warehouse {step.warehouse_mb:>8,.0f} MiB  "
            f"models {step.model_seconds}  tests {step.tests_seconds} s (slowest {step.slowest_tests[:3]})")
        if not step.ok:
            say(f"  see {workdir / f'dbt-{name}.log'}")
        return step

    full = build("full")
    build("noop")
    added = plan(a.requests_per_run, a.requests_per_run, first_run=len(specs), seed=a.seed, chunks=tuple(a.chunks))
    gen2 = generate(warehouse, added, seed=a.seed)
    say(f"+1 run    landed {gen2['request_rows']:,} request rows in {gen2['seconds']:.1f} s")
    inc = build("plus1")
    refresh = None if a.skip_refresh else build("refresh", "--full-refresh")

    chunk_rows = full.rows.get("intermediate.int_loadgen__chunks", 0)
    req_rows = full.rows.get("main.fct_requests", 0)
    say("")
    say(f"requests {req_rows:,}  chunk rows {chunk_rows:,}  raw {raw_mb:,.0f} MiB  warehouse after full build "
        f"{full.warehouse_mb:,.0f} MiB")
    say(f"full build     {full.seconds:8.1f} s  {req_rows / full.seconds:>12,.0f} requests/s  "
        f"{chunk_rows / full.seconds:>12,.0f} chunk rows/s  peak RSS {full.peak_rss_mb:,.0f} MiB")
    inc_models = sum(inc.model_seconds.get(m, 0) for m in ("int_loadgen__chunks", "fct_requests"))
    full_models = sum(full.model_seconds.get(m, 0) for m in ("int_loadgen__chunks", "fct_requests"))
    say(f"+1 run build   {inc.seconds:8.1f} s  (whole build x{full.seconds / inc.seconds:.1f} faster than the full build; "
        f"the two incremental models {inc_models:.1f} s vs {full_models:.1f} s: x{full_models / max(inc_models, 0.01):.1f})  "
        f"peak RSS {inc.peak_rss_mb:,.0f} MiB")
    if refresh:
        say(f"full refresh   {refresh.seconds:8.1f} s  (same data as the +1 run build)")

    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", "bench.warehouse_scale", *(argv or sys.argv[1:])]),
        "machine": {"host": platform.node(), "cores": os.cpu_count(), "duckdb": duckdb.__version__,
                    "memory_limit": os.environ.get("SEMIBENCH_DUCKDB_MEMORY_LIMIT", "8GB")},
        "requests": a.requests, "requests_per_run": a.requests_per_run, "chunks": list(a.chunks),
        "generate": gen, "raw_mb": round(raw_mb), "rows_generated": rows0,
        "estimated_rows_at_end": estimated_rows(warehouse),
        "steps": [asdict(s) for s in steps],
    }
    if a.json:
        a.json.write_text(json.dumps(result, indent=2))
    if not a.keep and not a.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(s.ok for s in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
