"""Fixtures for the operations tests: workspaces that run the real CLI (with this checkout first on
PYTHONPATH, so child processes import the code under test), one sample build shared by cloning, a real
aiohttp server on 127.0.0.1 that serves the sample files (optionally holding every answer until released),
and independent checks of the archive and the published warehouse."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from aiohttp import web

from semibench_core import paths
from tests.conftest import PROJECT_DIR, Workspace
from tests.dashboard_server import ThreadedDashboardServer

SAMPLE = paths.sample_dir()


@dataclass
class OpsWorkspace(Workspace):
    @property
    def env(self) -> dict[str, str]:
        env = super().env
        # children (the CLI, the scheduler's runs) must import this checkout, not whatever is installed
        env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_DIR), *filter(None, [os.environ.get("PYTHONPATH")])])
        env.pop("SEMIBENCH_FAULT", None)
        env.pop("SEMIBENCH_TRIGGER", None)
        return env

    @property
    def run_log(self) -> Path:
        return self.archive / "pipeline_runs.jsonl"

    @property
    def lock(self) -> Path:
        return self.archive / "semibench.lock"

    def cli(self, *args: str, check: bool = False, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "semibench.cli", *args], cwd=self.root,
                              env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=timeout,
                              start_new_session=True)  # own process group: a fault kill takes only the run down
        if check and proc.returncode != 0:
            raise AssertionError(f"semibench {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def popen(self, *args: str, env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
        out = open(log, "w") if log else subprocess.DEVNULL
        return subprocess.Popen([sys.executable, "-m", "semibench.cli", *args], cwd=self.root,
                                env={**self.env, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def runs(self) -> list[dict]:
        """The folded run log, as `semibench runs --format json` prints it."""
        proc = self.cli("runs", "--limit", "0", "--format", "json", check=True)
        return json.loads(proc.stdout) if proc.stdout.strip() else []

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.run_log.read_text().splitlines()] if self.run_log.exists() else []


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def archive_problems(archive: Path) -> list[str]:
    """Independent of the code under test: every snapshot dir has a manifest whose files exist with the
    recorded sha256, and there are no unlisted files; hidden temp dirs are ignored (readers skip them)."""
    import gzip

    problems = []
    root = archive / "inferencemax"
    for snap in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        manifest = json.loads((snap / "manifest.json").read_text())
        listed = set()
        for entry in manifest["files"]:
            stored = snap / entry["stored_as"]
            listed.add(stored.name)
            data = stored.read_bytes()
            if stored.name.endswith(".gz"):
                data = gzip.decompress(data)
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                problems.append(f"{stored}: sha256 mismatch")
        extra = {p.name for p in (snap / "files").iterdir()} - listed
        if extra:
            problems.append(f"{snap}: unlisted files {sorted(extra)}")
    return problems


def clone(ws: Workspace, root: Path) -> OpsWorkspace:
    """A copy of a built workspace (warehouse, published copy, archive, run log, dbt target): tests that
    need a built warehouse start from here instead of paying for another dbt build."""
    shutil.copytree(ws.root, root, dirs_exist_ok=True)
    return OpsWorkspace(root)


@pytest.fixture(scope="session")
def built_base(synthetic_run) -> OpsWorkspace:
    """The synthetic sample, ingested, built and published once by `semibench run --once --synthetic`
    (the session's shared build, tests/conftest.py)."""
    return OpsWorkspace(synthetic_run[0].root)


@pytest.fixture
def built(built_base, tmp_path) -> OpsWorkspace:
    return clone(built_base, tmp_path / "ws")


@pytest.fixture
def fresh(tmp_path) -> OpsWorkspace:
    (tmp_path / "fresh").mkdir()
    return OpsWorkspace(tmp_path / "fresh")


class SampleServer(ThreadedDashboardServer):
    """Serves <url>/data/inference-performance/<name> from `files` (default: the bundled sample). While
    `hold` is set, every request waits until release() is called, then gets `status` (200 = the file)."""

    def __init__(self, files: dict[str, bytes] | None = None):
        super().__init__()
        self.files = files if files is not None else {p.name: p.read_bytes() for p in SAMPLE.glob("*.json")}
        self.status = 200
        self.hold = False
        self.requested = threading.Event()  # at least one request arrived
        self._release: asyncio.Event | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.requested.set()
        if self.hold:
            await self._release.wait()
        name = request.match_info["name"]
        if self.status != 200 or name not in self.files:
            return web.Response(status=self.status if self.status != 200 else 404, text="not here")
        return web.Response(body=self.files[name], content_type="application/json")

    async def _on_start(self) -> None:
        self._release = asyncio.Event()

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self._release.set)

    def stop(self) -> None:
        self.release()
        super().stop()

    def config(self, path: Path, extra: str = "", timeout_s: float = 30) -> Path:
        path.write_text(f"inferencemax:\n  base_url: {self.url}\n  timeout_s: {timeout_s}\n  retries: 0\n"
                        f"  backoff_s: 0.01\n{extra}")
        return path


@pytest.fixture
def sample_server():
    srv = SampleServer().start()
    try:
        yield srv
    finally:
        srv.stop()


def dead_config(path: Path, extra: str = "") -> Path:
    """A config whose every fetch fails at once (nothing listens on port 9): a cheap failing run."""
    path.write_text("inferencemax:\n  base_url: http://127.0.0.1:9\n  timeout_s: 0.5\n  retries: 0\n"
                    f"  backoff_s: 0.01\n{extra}")
    return path
