"""Where things live. Every location can be overridden by an environment variable so tests and
deployments can point the whole pipeline at a scratch directory."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("SEMIBENCH_PROJECT_DIR", Path(__file__).resolve().parent.parent))


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).resolve() if value else default


def warehouse_path() -> Path:
    """The DuckDB file the ingesters land into and dbt builds (locked while dbt runs)."""
    return _env_path("SEMIBENCH_WAREHOUSE", PROJECT_DIR / "warehouse" / "semibench.duckdb")


def published_path() -> Path:
    """Read-only copy of the last successful build, for ad-hoc SQL."""
    return _env_path("SEMIBENCH_PUBLISHED", warehouse_path().parent / "published" / "semibench.duckdb")


def archive_dir() -> Path:
    """Immutable raw archive: the source of truth the warehouse can be rebuilt from."""
    return _env_path("SEMIBENCH_ARCHIVE", PROJECT_DIR / "archive")


def bundled_dir() -> Path:
    """Real published benchmark results bundled with the project: what the offline default run lands
    (sample_data/real/PROVENANCE.md says where each file comes from)."""
    return PROJECT_DIR / "sample_data" / "real"


def sample_dir() -> Path:
    """The SYNTHETIC InferenceMAX sample snapshot (tests, benchmarks, `semibench run --synthetic`)."""
    return PROJECT_DIR / "sample_data" / "inferencemax"


def sample_event_dir(family: str) -> Path:
    """Synthetic event logs for tests: 'eval_events' or 'vllm_results'."""
    return PROJECT_DIR / "sample_data" / family


def reports_dir() -> Path:
    """Where `semibench report` and `semibench run` write reports: <dir>/<UTC timestamp>/ and <dir>/latest."""
    return _env_path("SEMIBENCH_REPORTS", PROJECT_DIR / "reports")


def lake_dir(warehouse: Path | None = None) -> Path:
    """The raw lake: raw tables mirrored as date-partitioned Parquet for Spark and other engines
    (default: beside the warehouse file)."""
    return _env_path("SEMIBENCH_LAKE", Path(warehouse or warehouse_path()).resolve().parent / "lake")


def spark_warehouse_dir(warehouse: Path | None = None) -> Path:
    """Local Spark's table files and Derby metastore for `--target spark` (default: beside the warehouse)."""
    return _env_path("SEMIBENCH_SPARK_WAREHOUSE", Path(warehouse or warehouse_path()).resolve().parent / "spark")


def dbt_target_dir() -> Path:
    return _env_path("DBT_TARGET_PATH", PROJECT_DIR / "target")
