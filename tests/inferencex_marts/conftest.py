"""Fixtures of the unified InferenceMAX/InferenceX model tests: the shared real data (API fixtures, agg_bmk.json
run artifacts, the 2025-10-23 dashboard snapshot) landed through the real CLI, plus a LATER overlapping capture
(a revised value, a result that disappears, repeats of unchanged results), and ONE real `dbt build` of the
inferencex_marts models and their parents, shared by the module. `reordered` lands the same captures in the
other order into a second warehouse and builds only the tagged models again (the one extra build)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SHARED_DIR, Workspace

INFERENCEMAX = SHARED_DIR / "inferencemax"
API_FIXTURES = INFERENCEMAX / "api_v1_fixtures"
AGG_RESULTS = INFERENCEMAX / "agg_results"
DASHBOARD = INFERENCEMAX / "dashboard" / "2025-10-23"
# the unified model, everything it reads and the InferenceX staging (its unknown-values report); a test whose
# parents are not all selected is not run
DBT_BUILD = ["build", "--select", "+tag:inferencex_marts", "tag:inferencex", "--indirect-selection", "cautious"]
FIRST_AT, LATER_AT, DASHBOARD_AT = "2026-06-15T00:00:00Z", "2026-06-20T00:00:00Z", "2025-10-23T06:00:00Z"


@dataclass
class LaterCapture:
    """What the later capture changed, to be found again in the marts."""
    path: Path
    revised: dict        # the history record whose tput_per_gpu changed
    revised_tput: float
    dropped: dict        # a history record the later capture no longer serves


def _history_only_records(fixtures: Path) -> list[dict]:
    """History records whose (config, conc, isl, osl, date) `benchmarks` does not also serve: changing one of
    them is a revision the latest mart may show without disagreeing with `benchmarks`."""
    def key(r):
        return json.dumps({k: v for k, v in r.items() if k not in ("metrics", "image", "workers", "run_url")},
                          sort_keys=True)
    served = {key(r) for r in json.loads((fixtures / "benchmarks.json").read_text())}
    return [r for r in json.loads((fixtures / "benchmarks-history.json").read_text()) if key(r) not in served]


def later_capture(root: Path) -> LaterCapture:
    """A later `benchmarks/history` capture overlapping the fixtures': every record again except one that
    disappears, and one whose throughput was revised."""
    root.mkdir(parents=True, exist_ok=True)
    history = json.loads((API_FIXTURES / "benchmarks-history.json").read_text())
    only = _history_only_records(API_FIXTURES)
    revised, dropped = only[0], only[1]
    out = []
    for r in history:
        if r == dropped:
            continue
        if r == revised:
            r = {**r, "metrics": {**r["metrics"], "tput_per_gpu": r["metrics"]["tput_per_gpu"] * 1.5}}
        out.append(r)
    (root / "benchmarks-history.json").write_text(json.dumps(out))
    return LaterCapture(root, revised, revised["metrics"]["tput_per_gpu"] * 1.5, dropped)


def land(ws: Workspace, later: LaterCapture, order: str) -> None:
    """Land the shared data; `order` 'first-then-later' lands the fixtures twice (a re-capture) then the
    later capture; 'later-then-first' the later capture first."""
    steps = {
        "fixtures": ("ingest", "inferencex", "--from", str(API_FIXTURES), "--fetched-at", FIRST_AT),
        "later": ("ingest", "inferencex", "--from", str(later.path), "--fetched-at", LATER_AT),
    }
    sequence = ["fixtures", "fixtures", "later"] if order == "first-then-later" else ["later", "fixtures"]
    for step in sequence:
        ws.cli(*steps[step], check=True)
    ws.cli("ingest", "vllm-results", str(AGG_RESULTS), check=True)
    ws.cli("ingest", "inferencemax", "--from", str(DASHBOARD), "--fetched-at", DASHBOARD_AT, check=True)


def build(ws: Workspace):
    from semibench.dbt_runner import run_dbt

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DBT_LOG_PATH", str(ws.root / "dbt-logs"))
        return run_dbt(DBT_BUILD, warehouse=ws.warehouse, target_dir=ws.root / "dbt-target")


def _need_shared():
    for d in (API_FIXTURES, AGG_RESULTS, DASHBOARD):
        if not d.is_dir():
            pytest.skip(f"shared InferenceMAX data not found at {d}")


@pytest.fixture(scope="session")
def later(tmp_path_factory) -> LaterCapture:
    _need_shared()
    return later_capture(tmp_path_factory.mktemp("inferencex-later"))


@pytest.fixture(scope="session")
def marts(tmp_path_factory, later):
    """(workspace, dbt result) after landing in the first order and one real dbt build."""
    ws = Workspace(tmp_path_factory.mktemp("inferencex-marts"))
    land(ws, later, "first-then-later")
    return ws, build(ws)


@pytest.fixture(scope="session")
def reordered(tmp_path_factory, later):
    """(workspace, dbt result): the same captures landed in the other order, built again."""
    ws = Workspace(tmp_path_factory.mktemp("inferencex-marts-reordered"))
    land(ws, later, "later-then-first")
    return ws, build(ws)
