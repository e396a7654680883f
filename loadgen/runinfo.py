"""Run identity and the trace header: run id, run directory, host/tool facts."""

from __future__ import annotations

import math
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

from loadgen.config import LoadTestConfig
from loadgen.datasets import Dataset
from loadgen.records import SCHEMA_VERSION
from loadgen.shards import ShardConfig

TOOL = "semibench-loadgen"


def tool_version() -> str:
    try:
        from importlib.metadata import version
        return version("semibench")
    except Exception:  # noqa: BLE001 - running from a bare checkout
        return "0+unknown"


def new_run_id(prefix: str = "") -> str:
    """Sortable and unique enough: UTC timestamp + 6 random hex digits."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{prefix}{stamp}-{os.urandom(3).hex()}"


def run_dir_for(cfg: LoadTestConfig, run_id: str) -> Path:
    return Path(cfg.out_dir) if cfg.out_dir else Path(cfg.runs_root) / run_id


def model_label(shards: list[ShardConfig]) -> str:
    seen: list[str] = []
    for s in shards:
        if s.base_model not in seen:
            seen.append(s.base_model)
    return ",".join(seen)


def is_simulated(cfg: LoadTestConfig, shards: list[ShardConfig]) -> bool:
    """Declared (the demo), found by the preflight (cfg.simulated), or a serve-sim running
    in this very process: such a run measures a simulator, never a real deployment."""
    from loadgen.sim.run import is_in_process_sim
    return bool(cfg.simulated or any(is_in_process_sim(s.base_url) for s in shards))


def build_header(cfg: LoadTestConfig, *, run_id: str, shards: list[ShardConfig],
                 dataset: Dataset, arrival: str, start_mono_ns: int,
                 start_unix_ns: int | None = None) -> dict:
    unix = start_unix_ns if start_unix_ns is not None else time.time_ns()
    isl, osl = cfg.isl, cfg.osl
    if cfg.dataset in ("random", "multi-turn"):
        isl, osl = getattr(dataset, "isl", isl), getattr(dataset, "osl", osl)
    elif cfg.dataset == "shared-prefix":
        isl, osl = dataset.prefix_len + dataset.isl, dataset.osl
    deployments: list[str] = []
    for s in shards:
        if s.model not in deployments:
            deployments.append(s.model)
    return {
        "type": "run",
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "tool": TOOL,
        "tool_version": tool_version(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "start_time": datetime.fromtimestamp(unix / 1e9, timezone.utc).isoformat(),
        "start_unix_ns": unix,
        "start_mono_ns": start_mono_ns,
        "model": model_label(shards),
        "deployments": deployments,
        "backend": cfg.backend,
        "dataset": cfg.dataset,
        "dataset_path": dataset.path,
        "isl": isl,
        "osl": osl,
        "num_gpus": cfg.num_gpus,
        "request_rate": None if math.isinf(cfg.request_rate) else float(cfg.request_rate),
        "burstiness": float(cfg.burstiness),
        "arrival": arrival,
        "max_concurrency": cfg.max_concurrency,
        "num_prompts": cfg.num_prompts,
        "duration_s": None if cfg.duration_s is None else float(cfg.duration_s),
        "warmup_requests": cfg.warmup,
        "workers": cfg.workers,
        "sweep_id": cfg.sweep_id,
        "sweep_step": cfg.sweep_step,
        "label": cfg.label,
        "simulated": is_simulated(cfg, shards),
        "shards": [s.header_dict() for s in shards],
        "config": cfg.header_dict(),
    }


def summary_run_facts(header: dict, cfg: LoadTestConfig, interrupted: bool) -> dict:
    """What build_summary needs from the header, in vLLM's vocabulary."""
    start = datetime.fromtimestamp(header["start_unix_ns"] / 1e9)
    return {
        "date": start.strftime("%Y%m%d-%H%M%S"),
        "backend": header["backend"],
        "label": header.get("label"),
        "model_id": header["model"],
        "num_prompts": cfg.num_prompts,
        "request_rate": cfg.request_rate,
        "burstiness": cfg.burstiness,
        "max_concurrency": cfg.max_concurrency,
        "run_id": header["run_id"],
        "dataset": header["dataset"],
        "isl": header["isl"],
        "osl": header["osl"],
        "num_gpus": header["num_gpus"],
        "interrupted": interrupted,
        "tool_version": header["tool_version"],
        "simulated": header.get("simulated", False),
    }
