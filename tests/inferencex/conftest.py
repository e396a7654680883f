"""Fixtures of the InferenceX tests: the shared real API captures (skipped when ../shared is absent), the
synthetic db dump beside this file, a fault-scripting API server, and ONE warehouse built by a real
`dbt build` of the InferenceX models (shared by every test that reads staging)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SHARED_DIR
from tests.inferencex.api_server import InferenceXApiServer

FIXTURES = SHARED_DIR / "inferencemax" / "api_v1_fixtures"
SYNTHETIC_DUMP = Path(__file__).with_name("synthetic_db_dump")
# the InferenceX models, their seeds and sources; nothing else of the project
# cautious: tests that also reference models outside the tag (the marts built on it) are left out
DBT_SELECT = ["build", "--select", "+tag:inferencex", "--indirect-selection", "cautious"]

needs_shared = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared InferenceX fixtures not found at {FIXTURES}")


@pytest.fixture
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared InferenceX fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture
def api(fixtures):
    server = InferenceXApiServer(fixtures).start()
    yield server
    server.stop()


def odd_capture(root: Path, fixtures: Path) -> Path:
    """A copy of the fixtures with record-level problems: an unknown hardware, an unknown model, a metric
    that is not a number, and a numeric string (accepted with a note)."""
    root.mkdir(parents=True, exist_ok=True)
    for f in fixtures.glob("*.json"):
        shutil.copy(f, root / f.name)
    rows = json.loads((fixtures / "benchmarks.json").read_text())
    rows[0] = {**rows[0], "hardware": "tpu-v9x-nv"}
    rows[1] = {**rows[1], "model": "mystery-model"}
    rows[2] = {**rows[2], "metrics": {**rows[2]["metrics"], "tput_per_gpu": "fast"}}
    rows[3] = {**rows[3], "metrics": {**rows[3]["metrics"], "tput_per_gpu": "123.5"}}
    (root / "benchmarks.json").write_text(json.dumps(rows))
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A warehouse holding the shared fixtures, an odd copy of them and the synthetic dump, after one real
    `dbt build` of the InferenceX models; (warehouse path, dbt result)."""
    if not FIXTURES.is_dir():
        pytest.skip(f"shared InferenceX fixtures not found at {FIXTURES}")
    from ingest.config import Config
    from ingest.inferencex import ingest_inferencex
    from semibench.dbt_runner import run_dbt

    root = tmp_path_factory.mktemp("inferencex-built")
    warehouse, archive = root / "warehouse.duckdb", root / "archive"
    results = {
        "fixtures": ingest_inferencex(Config(), from_dir=FIXTURES, warehouse=warehouse, archive_root=archive),
        "odd": ingest_inferencex(Config(), from_dir=odd_capture(root / "odd", FIXTURES), warehouse=warehouse,
                                 archive_root=archive),
        "dump": ingest_inferencex(Config(), from_dir=SYNTHETIC_DUMP, warehouse=warehouse, archive_root=archive),
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DBT_LOG_PATH", str(root / "dbt-logs"))
        dbt = run_dbt(DBT_SELECT, warehouse=warehouse, target_dir=root / "dbt-target")
    return warehouse, dbt, results
