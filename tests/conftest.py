"""Shared fixtures: an isolated warehouse/archive/dbt-target per test area, and a way to run the real CLI."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
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


def clone(ws: Workspace, root: Path) -> Workspace:
    """A copy of a built workspace (warehouse, published copy, archive, run log, dbt target) at `root`, of
    the same kind: a test that changes a shared build works on its own copy instead of paying for a build."""
    shutil.copytree(ws.root, root, dirs_exist_ok=True)
    return type(ws)(root)


# The main job's two shared builds: each runs once per test session, however many folders (and, under
# pytest-xdist, however many workers) use it. Tests read them as they are; anything that writes (a run, an
# ingest, a Spark build) clones first.
def _shared_run(tmp_path_factory, name: str, *args: str, ok: tuple[int, ...] = (0,)):
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the session's temp root, shared by its workers
    ws = Workspace(root / f"shared-{name}")
    done = ws.root / ".semibench-test-run.json"
    # the first worker to take the lock builds; the others wait, then read what it recorded
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            ws.root.mkdir(parents=True, exist_ok=True)
            proc = ws.cli(*args, timeout=1200)
            assert proc.returncode in ok, proc.stdout[-3000:] + proc.stderr[-3000:]
            done.write_text(json.dumps({"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}))
    recorded = json.loads(done.read_text())
    return ws, subprocess.CompletedProcess(args, recorded["returncode"], recorded["stdout"], recorded["stderr"])


@pytest.fixture(scope="session")
def synthetic_run(tmp_path_factory) -> tuple[Workspace, subprocess.CompletedProcess]:
    """`semibench run --once --synthetic`: the generated sample (numbers tests can recompute), the generated
    event logs and the serve-sim demo, ingested, built and published."""
    return _shared_run(tmp_path_factory, "synthetic-run", "run", "--once", "--synthetic")


@pytest.fixture(scope="session")
def default_run(tmp_path_factory) -> tuple[Workspace, subprocess.CompletedProcess]:
    """`semibench run --quiet`: the offline default (the bundled real InferenceX capture, dashboard snapshot
    and run aggregates, plus the serve-sim demo), ingested, built, published and reported. Exit 3 (landed
    with quarantined records, README "Exit codes") still built and published."""
    return _shared_run(tmp_path_factory, "default-run", "run", "--quiet", ok=(0, 3))
