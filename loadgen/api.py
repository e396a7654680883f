"""Python entry points: run a load test, a sweep, or the offline demo.

    from loadgen import LoadTestConfig, run_loadtest, serve_sim_in_thread, LatencyModel
    with serve_sim_in_thread(LatencyModel(ttft_ms=50, tpot_ms=10)) as url:
        result = run_loadtest(LoadTestConfig(base_url=url, model="demo", num_prompts=20))
    result.summary["mean_ttft_ms"], result.trace_path
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from loadgen.config import LoadTestConfig
from loadgen.runinfo import new_run_id
from loadgen.runner import Run, RunResult
from loadgen.shards import ConfigError
from loadgen.sim.latency import LatencyModel
from loadgen.sim.run import serve_sim_in_thread

SWEEP_PARAMS = {"max_concurrency": "concurrency", "request_rate": "rate"}


async def run_loadtest_async(config: LoadTestConfig) -> RunResult:
    """Run one load test. Ctrl-C / task cancellation ends it early with status
    `interrupted` (the trace and summary are still written). A failed preflight raises
    loadgen.preflight.PreflightError before anything is written."""
    if config.workers > 1:
        from loadgen.workers import run_with_workers
        return await run_with_workers(config)
    return await Run(config).execute()


def run_loadtest(config: LoadTestConfig) -> RunResult:
    """Blocking wrapper around run_loadtest_async (starts its own event loop)."""
    return asyncio.run(run_loadtest_async(config))


@dataclass
class SweepResult:
    sweep_id: str
    sweep_dir: Path
    param: str
    steps: list[RunResult] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        return any(s.interrupted for s in self.steps)


def _step_label(param: str, v) -> str:
    if param == "request_rate":
        return "inf" if math.isinf(v) else f"{v:g}"
    return str(v)


async def run_sweep_async(config: LoadTestConfig, param: str, values: list) -> SweepResult:
    """One run per value of `param` (max_concurrency or request_rate), same workload and
    seed each time; each step is a full run directory under the sweep directory, and
    sweep.json lists the steps with their headline metrics. Stops at an interrupted step."""
    if param not in SWEEP_PARAMS:
        raise ConfigError(f"can only sweep {sorted(SWEEP_PARAMS)}, not {param!r}")
    if not values:
        raise ConfigError("sweep needs at least one value")
    sweep_id = config.run_id or new_run_id("sweep-")
    sweep_dir = Path(config.out_dir) if config.out_dir else Path(config.runs_root) / sweep_id
    res = SweepResult(sweep_id, sweep_dir, param)
    # Validate every step before running any, so a typo in the last value fails fast.
    steps = [config.copy(**{param: v}, run_id=f"{sweep_id}-s{i:02d}",
                         out_dir=str(sweep_dir / f"step-{i:02d}-{SWEEP_PARAMS[param]}-{_step_label(param, v)}"),
                         sweep_id=sweep_id, sweep_step=i) for i, v in enumerate(values)]
    for s in steps:
        s.resolve()
    for i, (v, step_cfg) in enumerate(zip(values, steps)):
        r = await run_loadtest_async(step_cfg)
        res.steps.append(r)
        res.rows.append({"step": i, "param": _step_label(param, v), "run_id": r.run_id,
                         "run_dir": str(r.run_dir), "status": r.status, "summary": r.summary})
        _write_sweep_index(res)
        if r.interrupted:
            break
    return res


def _write_sweep_index(res: SweepResult) -> None:
    keys = ("completed", "failed", "duration", "request_throughput", "output_throughput",
            "total_token_throughput", "mean_ttft_ms", "median_ttft_ms", "p99_ttft_ms",
            "mean_tpot_ms", "median_tpot_ms", "p99_tpot_ms", "mean_itl_ms", "p99_itl_ms",
            "mean_e2el_ms", "p99_e2el_ms")
    doc = {"sweep_id": res.sweep_id, "kind": "sweep", "param": res.param,
           "steps": [{k: v for k, v in row.items() if k != "summary"} |
                     {k: (row["summary"] or {}).get(k) for k in keys} for row in res.rows]}
    res.sweep_dir.mkdir(parents=True, exist_ok=True)
    (res.sweep_dir / "sweep.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def run_sweep(config: LoadTestConfig, param: str, values: list) -> SweepResult:
    return asyncio.run(run_sweep_async(config, param, values))


def demo_config(base_url: str, out_dir: str | Path, **overrides) -> LoadTestConfig:
    """A short load test (a few seconds) suited to the offline demo against serve-sim."""
    cfg = LoadTestConfig(base_url=base_url, model="sim-model", dataset="random", isl=256,
                         osl=32, num_prompts=40, request_rate=40.0, max_concurrency=8,
                         out_dir=str(out_dir), progress=False, api_key_env=None,
                         label="serve-sim-demo", simulated=True)
    return cfg.copy(**overrides)


def run_demo(out_dir: str | Path, latency: LatencyModel | None = None, **overrides) -> RunResult:
    """Start serve-sim in-process on a free port, run demo_config against it, stop it."""
    lm = latency or LatencyModel(ttft_ms=30.0, tpot_ms=5.0, jitter_ms=1.0)
    with serve_sim_in_thread(lm) as url:
        return run_loadtest(demo_config(url, out_dir, **overrides))
