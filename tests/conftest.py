"""Shared fixtures: an isolated warehouse/archive/dbt-target per test area, and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = PROJECT_DIR.parent / "shared"
REAL_DASHBOARD = SHARED_DIR / "inferencemax" / "dashboard" / "2025-10-23"
REAL_LEGACY = SHARED_DIR / "inferencemax" / "legacy-pipeline-archive" / "2025-10-24"


@dataclass
class Workspace:
    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "semibench.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published" / "semibench.duckdb"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SEMIBENCH_WAREHOUSE=str(self.warehouse),
            SEMIBENCH_PUBLISHED=str(self.published),
            SEMIBENCH_ARCHIVE=str(self.archive),
            DBT_TARGET_PATH=str(self.root / "dbt-target"),
            DBT_LOG_PATH=str(self.root / "dbt-logs"),
            SEMIBENCH_REPORTS=str(self.reports),
        )
        return env

    def cli(self, *args: str, check: bool = False, timeout: float = 600) -> subprocess.CompletedProcess:
        """Run the real `semibench` CLI in a child process against this workspace."""
        proc = subprocess.run(
            [sys.executable, "-m", "semibench.cli", *args],
            cwd=self.root, env=self.env, capture_output=True, text=True, timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"semibench {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc


@pytest.fixture(autouse=True, scope="session")
def _scratch_default_archive(tmp_path_factory):
    """Ingests archive their inputs (default: <project>/archive); in-process test ingests that name no
    archive root must not write into the checkout."""
    if "SEMIBENCH_ARCHIVE" not in os.environ:
        os.environ["SEMIBENCH_ARCHIVE"] = str(tmp_path_factory.mktemp("default-archive"))
    yield


def make_workspace(tmp_path_factory, name: str) -> Workspace:
    return Workspace(tmp_path_factory.mktemp(name))


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    return Workspace(tmp_path)
