"""loadgen: measure LLM serving endpoints the way vLLM `bench serve` does.

Public API (see loadgen/api.py and loadgen/TRACE_FORMAT.md):
  LoadTestConfig, RunResult, run_loadtest, run_loadtest_async, run_sweep,
  run_sweep_async, run_demo, demo_config, LatencyModel, serve_sim_in_thread.
"""

from __future__ import annotations

__all__ = ["LoadTestConfig", "RunResult", "SweepResult", "run_loadtest", "run_loadtest_async",
           "run_sweep", "run_sweep_async", "run_demo", "demo_config", "LatencyModel",
           "serve_sim_in_thread", "ConfigError"]


def __getattr__(name: str):
    # Lazy: `import loadgen` stays cheap (the CLI imports aiohttp only when it runs).
    if name in ("LoadTestConfig",):
        from loadgen.config import LoadTestConfig
        return LoadTestConfig
    if name == "ConfigError":
        from loadgen.shards import ConfigError
        return ConfigError
    if name == "RunResult":
        from loadgen.runner import RunResult
        return RunResult
    if name == "LatencyModel":
        from loadgen.sim.latency import LatencyModel
        return LatencyModel
    if name == "serve_sim_in_thread":
        from loadgen.sim.run import serve_sim_in_thread
        return serve_sim_in_thread
    if name in ("run_loadtest", "run_loadtest_async", "run_sweep", "run_sweep_async",
                "run_demo", "demo_config", "SweepResult"):
        from loadgen import api
        return getattr(api, name)
    raise AttributeError(f"module 'loadgen' has no attribute {name!r}")
