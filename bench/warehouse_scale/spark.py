"""Request traces at scale on Spark (local pyspark through dbt-spark, the `spark` target): generate N
synthetic requests into DuckDB's raw tables, sync the raw Parquet lake, `dbt build --target spark` the trace
models, add one run, sync and build again incrementally; print wall time, rows/s, peak memory and sizes.

    python -m bench.warehouse_scale.spark --requests 1000000 [--requests-per-run 100000] [--workdir DIR]
        [--driver-memory 6g] [--json OUT]

The dbt selection is the DuckDB benchmark's (bench/warehouse_scale/run.py): the trace models up to fct_runs
and every test on them. Peak memory is that of the whole process tree (dbt's Python process and the Spark
JVM it starts): the highest sum of VmRSS seen while polling every 0.5 s, and the JVM's own VmHWM. Timings
are wall clock on a shared 2-core machine: upper bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from bench.warehouse_scale.generate import generate, plan
from bench.warehouse_scale.run import SELECT, TRACE_MODELS, _dir_bytes, add_data_args, proc_status_kb, run_sampled
from ingest.lake import sync_lake
from semibench_core import paths
from semibench.dbt_runner import dbt_env, read_run_results


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def spark_build(name: str, extra: list[str], warehouse: Path, workdir: Path) -> dict:
    target = workdir / f"target-spark-{name}"
    env = dbt_env(warehouse, target)
    cmd = [sys.executable, "-m", "dbt.cli.main", "build", "--target", "spark", *SELECT, *extra,
           "--project-dir", str(paths.PROJECT_DIR), "--profiles-dir", str(paths.PROJECT_DIR)]
    peak = {"tree_kb": 0, "jvm_hwm_kb": 0}

    def sample(pid: int) -> None:
        pids = _descendants(pid)
        peak["tree_kb"] = max(peak["tree_kb"], sum(proc_status_kb(p, "VmRSS") for p in pids))
        for p in pids[1:]:
            try:
                is_jvm = "java" in Path(f"/proc/{p}/comm").read_text()
            except OSError:  # exited since the listing
                continue
            if is_jvm:
                peak["jvm_hwm_kb"] = max(peak["jvm_hwm_kb"], proc_status_kb(p, "VmHWM"))

    rc, seconds = run_sampled(cmd, env, workdir / f"dbt-spark-{name}.log", sample, 0.5)
    results_file = target / "run_results.json"
    nodes = read_run_results(results_file)
    timings = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    bad = [n.unique_id for n in nodes if n.status in ("error", "fail")]
    return {
        "name": name, "ok": rc == 0 and not bad, "failed_nodes": bad[:10], "seconds": round(seconds, 1),
        "peak_tree_rss_mb": round(peak["tree_kb"] / 1024), "jvm_peak_rss_mb": round(peak["jvm_hwm_kb"] / 1024),
        "model_seconds": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1)
                          for r in timings if r["unique_id"] in TRACE_MODELS},
        "tests_seconds": round(sum(r["execution_time"] for r in timings if r["unique_id"].startswith("test.")), 1),
        "spark_warehouse_mb": round(_dir_bytes(paths.spark_warehouse_dir(warehouse)) / 2**20),
    }


def timed_sync(warehouse: Path) -> dict:
    t0 = time.monotonic()
    con = duckdb.connect(str(warehouse))
    try:
        summary = sync_lake(con, paths.lake_dir(warehouse))
    finally:
        con.close()
    seconds = time.monotonic() - t0
    return {"seconds": round(seconds, 1), "files_written": summary.written, "rows_written": summary.rows_written,
            "rows_per_s": round(summary.rows_written / seconds) if seconds else None,
            "lake_mb": round(_dir_bytes(paths.lake_dir(warehouse)) / 2**20)}


def trace_rows(warehouse: Path) -> tuple[int, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select count(*), coalesce(sum(num_chunks), 0) from raw.loadgen_requests").fetchone()
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.warehouse_scale.spark", description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_args(p)
    p.add_argument("--workdir", type=Path, help="an empty folder for the warehouse, lake and Spark tables "
                                               "(default: a new temp dir, kept)")
    p.add_argument("--driver-memory", default="6g", help="Spark driver memory (local mode: the whole Spark heap)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    a = p.parse_args(argv)

    os.environ["SEMIBENCH_SPARK_DRIVER_MEMORY"] = a.driver_memory
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="warehouse-scale-spark-"))
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "wh" / "semibench.duckdb"
    if warehouse.exists():
        p.error(f"{warehouse} exists: give an empty --workdir")
    os.environ.pop("SEMIBENCH_LAKE", None)
    os.environ.pop("SEMIBENCH_SPARK_WAREHOUSE", None)
    say = lambda s: print(s, flush=True)  # noqa: E731
    say(f"warehouse-scale spark: {a.requests:,} requests, runs of {a.requests_per_run:,}, workdir {workdir}, "
        f"{platform.node()} {os.cpu_count()} cores, driver memory {a.driver_memory}")

    gen = generate(warehouse, plan(a.requests, a.requests_per_run, seed=a.seed, chunks=tuple(a.chunks)), seed=a.seed)
    requests, chunks = trace_rows(warehouse)
    say(f"generate  {requests:,} requests, {chunks:,} chunks in {gen['seconds']:.1f} s (DuckDB raw tables)")
    sync_full = timed_sync(warehouse)
    say(f"lake      {sync_full}")
    full = spark_build("full", [], warehouse, workdir)
    say(f"full      {full}")
    added = plan(a.requests_per_run, a.requests_per_run, first_run=len(plan(a.requests, a.requests_per_run)),
                 seed=a.seed, chunks=tuple(a.chunks))
    generate(warehouse, added, seed=a.seed)
    sync_inc = timed_sync(warehouse)
    say(f"lake +1   {sync_inc}")
    inc = spark_build("plus1", [], warehouse, workdir)
    say(f"+1 run    {inc}")
    refresh = spark_build("refresh", ["--full-refresh"], warehouse, workdir)
    say(f"refresh   {refresh}")

    inc_models = sum(inc["model_seconds"].get(m, 0) for m in ("int_loadgen__chunks", "fct_requests"))
    ref_models = sum(refresh["model_seconds"].get(m, 0) for m in ("int_loadgen__chunks", "fct_requests"))
    say("")
    say(f"full build  {full['seconds']:.1f} s: {requests / full['seconds']:,.0f} requests/s, "
        f"{chunks / full['seconds']:,.0f} chunk rows/s, peak tree RSS {full['peak_tree_rss_mb']:,} MiB "
        f"(JVM {full['jvm_peak_rss_mb']:,} MiB)")
    say(f"+1 run      {inc['seconds']:.1f} s vs refresh {refresh['seconds']:.1f} s (x{refresh['seconds'] / inc['seconds']:.1f}); "
        f"incremental models {inc_models:.1f} s vs {ref_models:.1f} s (x{ref_models / max(inc_models, 0.01):.1f})")
    if a.json:
        a.json.write_text(json.dumps({
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join(["python", "-m", "bench.warehouse_scale.spark", *(argv or sys.argv[1:])]),
            "requests": requests, "chunks": chunks, "generate": gen, "lake_full": sync_full, "lake_plus1": sync_inc,
            "steps": [full, inc, refresh]}, indent=2))
    return 0 if all(s["ok"] for s in (full, inc, refresh)) else 1


if __name__ == "__main__":
    sys.exit(main())
