"""Fixtures for the ingester tests: a real HTTP server on 127.0.0.1 serving synthetic InferenceMAX files,
a scratch warehouse + archive, and small helpers to inspect both."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from aiohttp import web

from ingest.config import ArchiveConfig, Config, InferenceMaxConfig
from tests.dashboard_server import ThreadedDashboardServer

SHARED_DIR = Path(__file__).resolve().parents[3] / "shared"
REAL_DASHBOARD = SHARED_DIR / "inferencemax" / "dashboard" / "2025-10-23"
REAL_LEGACY = SHARED_DIR / "inferencemax" / "legacy-pipeline-archive" / "2025-10-24"

MODELS = ("tiny-moe-8b", "mini-dense-3b")
SEQUENCES = ("1k_1k",)
TYPES = ("interactivity", "e2e")
HW_KEYS = ("b200", "h100", "mi300x")
RAW_TABLES = ("snapshots", "files", "points", "fetches")


def make_points(model: str, seq: str, data_type: str) -> list[dict]:
    """Synthetic points shaped like the dashboard's (key fields, nested cost/throughput objects, and one
    field the ingester has never heard of, which must survive untouched)."""
    points = []
    base = 10 + len(model) + (0 if data_type == "e2e" else 5)
    for h, hw in enumerate(HW_KEYS):
        for tp in (1, 8):
            for conc in (4, 64):
                y = round(base * (h + 1) * tp + conc * 1.5, 3)
                points.append({
                    "conc": conc, "hwKey": hw, "precision": "fp8", "tp": tp,
                    "x": round(conc / (tp + h + 1), 3), "y": y,
                    "tpPerGpu": {"roof": conc == 64, "y": y}, "costh": {"y": round(100 / y, 3)},
                    "future_field": {"note": "unknown fields are kept", "model": model, "seq": seq},
                })
    return points


def file_names() -> list[str]:
    return [f"{m}-{s}-{t}.json" for m in MODELS for s in SEQUENCES for t in TYPES]


def encode(points) -> bytes:
    # Spaced separators like the served files, so archived bytes visibly differ from canonical records.
    return json.dumps(points, separators=(", ", ": ")).encode()


@dataclass
class Reply:
    status: int = 200
    body: bytes | None = None  # None: the file's current content
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"


class FakeInferenceMax(ThreadedDashboardServer):
    """Serves <url>/data/inference-performance/<name> from `files`; `script(name, replies)` makes the next
    requests for that name answer with the given replies in order (the last one repeats)."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {n: encode(make_points(*self._parts(n))) for n in file_names()}
        self.scripts: dict[str, list[Reply]] = {}
        self.hits: Counter[str] = Counter()

    @staticmethod
    def _parts(name: str) -> tuple[str, str, str]:
        for m in MODELS:
            for s in SEQUENCES:
                for t in TYPES:
                    if name == f"{m}-{s}-{t}.json":
                        return m, s, t
        raise KeyError(name)

    names = staticmethod(file_names)
    Reply = Reply

    def points(self, name: str) -> list[dict]:
        return json.loads(self.files[name])

    def script(self, name: str, *replies: Reply) -> None:
        self.scripts[name] = list(replies)

    def url_of(self, name: str) -> str:
        return f"{self.url}/data/inference-performance/{name}"

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.hits[name] += 1
        script = self.scripts.get(name)
        reply = (script.pop(0) if len(script) > 1 else script[0]) if script else Reply()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        body = reply.body
        if body is None and reply.status == 200:
            body = self.files.get(name)
            if body is None:
                return web.Response(status=404, text="no such file")
        return web.Response(status=reply.status, body=body or b"", headers=reply.headers,
                            content_type=reply.content_type)


@pytest.fixture
def server():
    srv = FakeInferenceMax().start()
    try:
        yield srv
    finally:
        srv.stop()


def config_for(server: FakeInferenceMax, *, retries: int = 2, timeout_s: float = 0.5, compress: bool = False,
               retention: int | None = None) -> Config:
    return Config(
        inferencemax=InferenceMaxConfig(base_url=server.url, models=MODELS, sequences=SEQUENCES, types=TYPES,
                                        timeout_s=timeout_s, retries=retries, backoff_s=0.01, concurrency=4),
        archive=ArchiveConfig(compress=compress, retention=retention),
    )


@dataclass
class Scratch:
    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "semibench.duckdb"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def snapshots_dir(self) -> Path:
        return self.archive / "inferencemax"

    def archived_ids(self) -> set[str]:
        if not self.snapshots_dir.is_dir():
            return set()
        return {p.name for p in self.snapshots_dir.iterdir() if p.is_dir()}

    def counts(self) -> dict[str, int]:
        if not self.warehouse.exists():
            return {t: 0 for t in RAW_TABLES}
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            present = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
            return {t: con.execute(f"select count(*) from raw.inferencemax_{t}").fetchall()[0][0]
                    if f"inferencemax_{t}" in present else 0 for t in RAW_TABLES}

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def fetch_log(self) -> list[dict]:
        path = self.snapshots_dir / "fetches.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def env(self) -> dict[str, str]:
        return {"SEMIBENCH_WAREHOUSE": str(self.warehouse), "SEMIBENCH_ARCHIVE": str(self.archive)}


@pytest.fixture
def scratch(tmp_path) -> Scratch:
    return Scratch(tmp_path)


@pytest.fixture
def make_config():
    """config_for, as a fixture: with --import-mode=importlib tests cannot import this conftest by name."""
    return config_for


def _real(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f"real InferenceMAX data not available at {path}")
    return path


@pytest.fixture
def real_dashboard() -> Path:
    return _real(REAL_DASHBOARD)


@pytest.fixture
def real_legacy() -> Path:
    return _real(REAL_LEGACY)
