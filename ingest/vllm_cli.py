"""`semibench ingest vllm-results PATH...`: the typer command function (the main CLI registers it)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ingest.batch_cli import run_batch
from ingest.vllm_results import TABLES, ingest_vllm_results
from semibench_core import paths as semibench_paths


def vllm_results_command(
    paths: list[Path] = typer.Argument(..., help="Saved vLLM `bench serve` result JSON files, InferenceMAX aggregate files (agg_bmk.json), or directories of them (searched recursively for *.json, *.jsonl)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Also land the rest of the batch when a whole file cannot be read (not UTF-8, not JSON, not an object or array): record such files in raw.vllm_result_rejects instead of failing the batch. Records with problems are quarantined either way."),
    strict: bool = typer.Option(False, "--strict", help="All or nothing: any problem, in a file or in one record, fails the whole batch and nothing is landed (the default quarantines bad records and lands the rest)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file to land into (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb)."),
) -> None:
    """Land benchmark-run results (vLLM bench serve results and InferenceMAX run aggregates) in raw.vllm_results.

    A record with problems lands quarantined with every reason and stays out of the marts; an unreadable
    file fails the batch. Exit codes: 0 all landed, 3 landed with records quarantined, 1 nothing landed."""
    target = (warehouse or semibench_paths.warehouse_path()).resolve()
    run_batch(lambda: ingest_vllm_results(paths, target, skip_bad=skip_bad, strict=strict), TABLES.rejects, TABLES.records)
