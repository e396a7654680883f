"""Deterministic synthetic loadgen runs, written straight into raw.loadgen_runs / raw.loadgen_requests.

    python -m bench.warehouse_scale.generate --warehouse W --requests 1000000 [--requests-per-run 100000]
        [--seed 0] [--chunks 8 24] [--first-run 0]

Why not trace.jsonl through `semibench ingest traces`: 10 million request lines are ~10 GB of JSON to write
and parse. The rows are generated in DuckDB SQL instead (`range()` + list comprehensions), one INSERT per
run, so a run's rows are contiguous on disk (as the ingester lands them) and memory stays bounded. The
rows have the shape the ingester lands (same columns and types, `ingest/loadgen_schema.sql`), with the
same replacement rule: landing a run_id again deletes its old rows first, in the same transaction, and
the run gets a new batch_id / loaded_at (what a grown trace does).

Shapes (all from a hash of (seed, run, seq, what), so a given seed gives identical rows on every machine
and thread count with the same DuckDB version; no random() state):

* per run: model (gpt-oss-120b / Llama 3.3 70B / DeepSeek R1 from the model catalog), isl 1024 or 8192,
  hw_key, 8 GPUs, a request rate, a base TTFT and TPOT; `warmup` warm-up requests before the main phase;
* per request: num_chunks uniform in [chunks_min, chunks_max], one output token per chunk (a short-output
  workload: ~1 billion chunk rows for 10M requests would not fit this machine, see RESULTS.md);
  TTFT = base x U(0.6, 1.4) with a 1 % tail x4; chunk k at TTFT + k*TPOT + jitter (|jitter| <= TPOT/4, so
  gaps stay positive); itl_ms = gaps rounded to the microsecond, ttft/e2el/tpot consistent with the chunks
  exactly as loadgen computes them;
* failures: 0.5 % `http_5xx` (no chunks) and 0.5 % `disconnected` (half the chunks, not successful);
* arrivals: constant rate with jitter; the end line's duration = first main arrival to last completion.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

MODELS = [  # (reported model, base TTFT ms at 1k input, base TPOT ms)
    ("openai/gpt-oss-120b", 120.0, 6.0),
    ("meta-llama/Llama-3.3-70B-Instruct", 180.0, 14.0),
    ("deepseek-ai/DeepSeek-R1-0528", 350.0, 22.0),
]
HW_KEYS = ["b200", "h200", "mi355x", "h100"]
START_UNIX_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
LOADED_AT = datetime(2026, 1, 2, 0, 0, 0)  # naive UTC, like the ingester's loaded_at


@dataclass(frozen=True)
class RunSpec:
    index: int
    run_id: str
    requests: int          # main-phase requests
    warmup: int
    model: str
    isl: int
    osl: int
    hw_key: str
    num_gpus: int
    request_rate: float
    ttft_ms: float
    tpot_ms: float
    chunks_min: int
    chunks_max: int
    generation: int = 0    # > 0: the run was landed again (a grown trace): new batch_id / loaded_at

    @property
    def batch_id(self) -> str:
        return f"synth-{self.index:05d}-g{self.generation}"

    @property
    def loaded_at(self) -> datetime:
        return LOADED_AT + timedelta(seconds=self.index, hours=self.generation)

    @property
    def start_unix_ns(self) -> int:
        return START_UNIX_NS + self.index * 3_600_000_000_000


def run_spec(index: int, requests: int, *, seed: int = 0, chunks: tuple[int, int] = (8, 24),
             warmup: int = 4, generation: int = 0) -> RunSpec:
    """The parameters of synthetic run `index` (deterministic in seed and index)."""
    rng = random.Random(f"semibench-synth|{seed}|{index}")
    model, ttft, tpot = rng.choice(MODELS)
    isl = rng.choice([1024, 1024, 8192])
    lo, hi = chunks
    if not 1 <= lo <= hi:
        raise ValueError(f"chunks must satisfy 1 <= min <= max, got {chunks}")
    return RunSpec(
        index=index, run_id=f"synth-s{seed}-r{index:05d}", requests=requests, warmup=warmup, model=model,
        isl=isl, osl=hi, hw_key=rng.choice(HW_KEYS), num_gpus=8, request_rate=float(rng.choice([20, 50, 100, 200])),
        ttft_ms=ttft * (isl / 1024) ** 0.5 * rng.uniform(0.8, 1.2), tpot_ms=tpot * rng.uniform(0.8, 1.2),
        chunks_min=lo, chunks_max=hi, generation=generation,
    )


def _requests_sql(spec: RunSpec, seed: int) -> str:
    """SELECT producing the run's raw.loadgen_requests rows (column order of the DDL)."""
    gap_ns = int(1e9 / spec.request_rate)
    main_start_ns = spec.warmup * 10_000_000 + 1_000_000_000
    ttft_ns, tpot_ns = int(spec.ttft_ms * 1e6), int(spec.tpot_ms * 1e6)
    span = spec.chunks_max - spec.chunks_min + 1
    rid = spec.run_id
    # u(tag): uniform [0, 1) from a hash of (seed, run, generation, row, tag)
    def u(tag: int) -> str:
        return f"((hash({seed}, {spec.index}, {spec.generation}, i, {tag}) % 1000003) / 1000003.0)"
    return f"""
    with base as (
        select
            i,
            i < {spec.warmup} as warmup,
            case when i < {spec.warmup} then i else i - {spec.warmup} end as seq,
            {u(1)} as u_fail,
            {spec.chunks_min} + cast(hash({seed}, {spec.index}, {spec.generation}, i, 2) % {span} as bigint) as chunks,
            cast({ttft_ns} * (0.6 + 0.8 * {u(3)}) * (case when {u(4)} > 0.99 then 4 else 1 end) as bigint) as ttft_ns,
            cast({tpot_ns} * (0.8 + 0.4 * {u(5)}) as bigint) as tpot_ns,
            cast({gap_ns} * {u(6)} as bigint) as arrival_jitter_ns,
            cast(case when {u(7)} > 0.9 then 1000000 * {u(8)} else 0 end as bigint) as queue_ns
        from range({spec.warmup + spec.requests}) as t(i)
    ),
    classified as (
        select
            *,
            case when warmup or u_fail >= 0.01 then null
                 when u_fail < 0.005 then 'http_5xx' else 'disconnected' end as error_class
        from base
    ),
    timed as (
        select
            *,
            error_class is null as success,
            case when error_class = 'http_5xx' then 0
                 when error_class = 'disconnected' then chunks // 2
                 else chunks end as num_chunks,
            case when warmup then null
                 else {main_start_ns} + seq * {gap_ns} + arrival_jitter_ns end as scheduled_offset_ns
        from classified
    ),
    chunked as (
        select
            *,
            coalesce(scheduled_offset_ns, i * 10000000) + queue_ns as send_offset_ns,
            [ttft_ns + k * tpot_ns
                + case when k = 0 then 0
                       else (cast(hash({seed}, {spec.index}, {spec.generation}, i, 100 + k) % 1001 as bigint) - 500) * tpot_ns // 2000
                  end
             for k in range(num_chunks)] as chunk_ns
        from timed
    )
    select
        '{rid}' as run_id,
        case when warmup then '{rid}-warmup-' || seq else '{rid}-' || lpad(cast(seq as varchar), 7, '0') end as request_id,
        seq,
        warmup,
        cast(i % 4 as bigint) as worker,
        'default' as shard,
        'http://synthetic.invalid:8000' as endpoint,
        '{spec.model}' as deployment,
        '{spec.model}' as model,
        'openai-chat' as backend,
        scheduled_offset_ns,
        send_offset_ns,
        {spec.start_unix_ns} + send_offset_ns as send_unix_ns,
        queue_ns,
        chunk_ns,
        num_chunks,
        case when num_chunks > 0 then chunk_ns[1] / 1e6 end as ttft_ms,
        case when success then chunk_ns[num_chunks] / 1e6 end as e2el_ms,
        case when success and num_chunks > 1
             then (chunk_ns[num_chunks] / 1e6 - chunk_ns[1] / 1e6) / (num_chunks - 1) end as tpot_ms,
        [round((chunk_ns[k + 1] - chunk_ns[k]) / 1e6, 3) for k in range(1, num_chunks)] as itl_ms,
        {spec.isl} as input_tokens,
        num_chunks as output_tokens,
        false as input_tokens_estimated,
        false as output_tokens_estimated,
        {spec.isl} as target_input_tokens,
        {spec.osl} as target_output_tokens,
        success,
        case when error_class = 'http_5xx' then 503 else 200 end as http_status,
        error_class,
        case error_class when 'http_5xx' then 'HTTP 503: Service Unavailable'
                         when 'disconnected' then 'server closed the stream mid-response' end as error_message,
        cast(0 as bigint) as retries,
        case when success then 'length' end as finish_reason,
        cast(1 + hash({seed}, {spec.index}, i, 9) % 64 as bigint) as inflight_at_send,
        cast(1 + hash({seed}, {spec.index}, i, 9) % 64 as bigint) as shard_inflight_at_send,
        cast(null as bigint) as concurrency_limit,
        cast(null as double) as qps_limit,
        cast(null as varchar) as generated_text,
        timestamp '{spec.loaded_at:%Y-%m-%d %H:%M:%S}' as loaded_at
    from chunked
    """


def land_run(con: duckdb.DuckDBPyConnection, spec: RunSpec, *, seed: int = 0) -> int:
    """Land one synthetic run (replacing a landed run with the same id, like a grown trace); returns rows."""
    main_start_ns = spec.warmup * 10_000_000 + 1_000_000_000
    trace_sha = hashlib.sha256(f"{spec.run_id}|{spec.generation}|{seed}|{spec.requests}".encode()).hexdigest()
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.loadgen_requests where run_id = ?", [spec.run_id])
        con.execute("delete from raw.loadgen_runs where run_id = ?", [spec.run_id])
        con.execute(f"insert into raw.loadgen_requests by name {_requests_sql(spec, seed)}")
        n, last_ns, first_main_ns = con.execute(
            """select count(*),
                      max(send_offset_ns + chunk_ns[num_chunks]) filter (where not warmup and num_chunks > 0),
                      min(scheduled_offset_ns) filter (where not warmup)
               from raw.loadgen_requests where run_id = ?""", [spec.run_id]).fetchone()
        duration_s = (last_ns - main_start_ns) / 1e9 if last_ns is not None else 0.0
        start = datetime(1970, 1, 1) + timedelta(microseconds=spec.start_unix_ns // 1000)
        con.execute(
            """insert into raw.loadgen_runs (
                   run_id, schema_version, tool, tool_version, host, pid, start_time, start_unix_ns, start_mono_ns,
                   model, deployments, backend, dataset, dataset_path, isl, osl, num_gpus, request_rate, burstiness,
                   arrival, max_concurrency, num_prompts, duration_s, warmup_requests, workers, sweep_id, sweep_step,
                   label, shards, config, end_status, end_time, end_unix_ns, end_duration_s, end_requests_written,
                   end_main_start_offset_ns, summary, summary_file, summary_sha256, trace_file, trace_sha256,
                   trace_bytes, torn_last_line, requests_landed, batch_id, loaded_at)
               values (?, 1, 'semibench-synth', 'bench', 'synthetic', 0, ?, ?, 0,
                       ?, [?], 'openai-chat', 'random', null, ?, ?, ?, ?, 1.0,
                       'constant', null, ?, null, ?, 4, null, null,
                       'warehouse-scale synthetic', '[]', ?, 'completed', ?, ?, ?, ?,
                       ?, null, null, null, ?, ?,
                       ?, false, ?, ?, ?)""",
            [spec.run_id, start.isoformat() + "+00:00", spec.start_unix_ns,
             spec.model, spec.model, spec.isl, spec.osl, spec.num_gpus, spec.request_rate,
             spec.requests, spec.warmup,
             f'{{"metadata": {{"hw_key": "{spec.hw_key}", "precision": "fp8"}}}}',
             (start + timedelta(seconds=duration_s)).isoformat() + "+00:00",
             spec.start_unix_ns + (last_ns or 0), duration_s, n, main_start_ns,
             f"synthetic://{spec.run_id}/trace.jsonl", trace_sha, n * 600, n, spec.batch_id, spec.loaded_at])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return n


def remove_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Delete a run from the raw tables (what a retention policy or a hand clean-up would do)."""
    con.execute("begin transaction")
    con.execute("delete from raw.loadgen_requests where run_id = ?", [run_id])
    con.execute("delete from raw.loadgen_runs where run_id = ?", [run_id])
    con.execute("commit")


def plan(total_requests: int, requests_per_run: int, *, first_run: int = 0, seed: int = 0,
         chunks: tuple[int, int] = (8, 24), warmup: int = 4) -> list[RunSpec]:
    """Runs of `requests_per_run` main-phase requests (the last one smaller) adding up to total_requests."""
    specs, left, index = [], total_requests, first_run
    while left > 0:
        n = min(requests_per_run, left)
        specs.append(run_spec(index, n, seed=seed, chunks=chunks, warmup=warmup))
        left -= n
        index += 1
    return specs


def ensure_schema(warehouse: Path) -> None:
    """The raw tables (every family's, as the pipeline creates them before a build)."""
    from semibench.pipeline import ensure_warehouse_schema

    ensure_warehouse_schema(Path(warehouse))


def generate(warehouse: Path, specs: list[RunSpec], *, seed: int = 0, memory_limit: str | None = None,
             progress=None) -> dict:
    """Land every run of `specs` into the warehouse's raw tables; returns counts and timing."""
    ensure_schema(warehouse)
    t0 = time.monotonic()
    rows = 0
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set preserve_insertion_order = true")  # keep a run's rows together, in seq order
        if memory_limit:
            con.execute(f"set memory_limit = '{memory_limit}'")
        for k, spec in enumerate(specs, 1):
            rows += land_run(con, spec, seed=seed)
            if progress:
                progress(f"  landed {spec.run_id}: {spec.requests + spec.warmup:,} requests "
                         f"({k}/{len(specs)}, {time.monotonic() - t0:.0f} s)")
        con.execute("checkpoint")
    finally:
        con.close()
    return {"runs": len(specs), "request_rows": rows, "seconds": time.monotonic() - t0}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.warehouse_scale.generate", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warehouse", type=Path, required=True, help="DuckDB file (created with the raw schema)")
    p.add_argument("--requests", type=int, required=True, help="main-phase requests in total")
    p.add_argument("--requests-per-run", type=int, default=100_000)
    p.add_argument("--first-run", type=int, default=0, help="index of the first run (to add runs later)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chunks", type=int, nargs=2, default=(8, 24), metavar=("MIN", "MAX"),
                   help="token chunks per request, uniform in [MIN, MAX] (default 8 24)")
    p.add_argument("--warmup", type=int, default=4, help="warm-up requests per run")
    a = p.parse_args(argv)
    specs = plan(a.requests, a.requests_per_run, first_run=a.first_run, seed=a.seed, chunks=tuple(a.chunks),
                 warmup=a.warmup)
    out = generate(a.warehouse, specs, seed=a.seed, progress=print)
    print(f"{out['runs']} runs, {out['request_rows']:,} request rows in {out['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
