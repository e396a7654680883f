"""The pipeline on real InferenceMAX captures from ../shared (skipped when they are not there)."""

from __future__ import annotations

import json
from collections import Counter

import duckdb
import pytest

from tests.conftest import REAL_DASHBOARD, REAL_LEGACY, make_workspace
from tests.pipeline.expected import load_points, pareto_frontier, per_hardware

pytestmark = pytest.mark.skipif(not REAL_DASHBOARD.is_dir(), reason="../shared/inferencemax not present")

# True gpt-oss counts per data type in the 2025-10-23 capture (shared/README.md §1)
GPT_OSS_COUNTS = {"b200": 60, "h100": 45, "h200": 60, "h200_trt": 60, "mi300x": 60, "mi325x": 60, "mi355x": 45}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    ws = make_workspace(tmp_path_factory, "real")
    # the capture's files carry no time: say when it was taken, so the legacy 2025-10-24 capture sorts after it
    proc = ws.cli("run", "--from", str(REAL_DASHBOARD), "--fetched-at", "2025-10-23T12:00:00Z", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return ws


def query(ws, sql):
    con = duckdb.connect(str(ws.published), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_real_capture_merges_1339_points_all_matched(real):
    (n, keys, matched, y_agree), = query(real, """
        select count(*), count(distinct (model_slug, sequence_slug, hw_key, precision, tp, conc)),
               count(*) filter (where match_status = 'matched'),
               count(*) filter (where abs(interactivity_y - e2e_y) <= 1e-9)
        from fct_inferencemax_points""")
    assert (n, keys, matched, y_agree) == (1339, 1339, 1339, 1339)


def test_real_gpt_oss_counts_per_hw_and_no_b200_trt(real):
    rows = dict(query(real, """select hw_key, count(*) from fct_inferencemax_points
                                where model_slug = 'gpt-oss-120b' group by 1"""))
    assert rows == GPT_OSS_COUNTS


def test_real_frontier_matches_independent_computation(real):
    groups = per_hardware(load_points(REAL_DASHBOARD, "interactivity"))
    got: dict = {}
    for model, seq, hw, x, y in query(real, """select model_slug, sequence_slug, hw_key, interactivity_x, interactivity_y
                                               from intermediate.int_inferencemax__pareto_frontier"""):
        got.setdefault((model, seq, hw), set()).add((x, y))
    assert got == {k: pareto_frontier(v) for k, v in groups.items()}


@pytest.mark.skipif(not REAL_LEGACY.is_dir(), reason="legacy archive not present")
def test_legacy_archive_import_shows_llama_lost_and_b200_trt_added(real):
    # the old pipeline's archive holds gpt-oss and DeepSeek only: a whole snapshot of a two-model configuration
    config = real.root / "legacy.yaml"
    config.write_text("inferencemax:\n  models: [gpt-oss-120b, deepseek-r1-0528]\n")
    proc = real.cli("run", "--from", str(REAL_LEGACY), "--config", str(config), "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = dict(
        ((m, h), s) for m, h, s in query(real, """
            select model_slug, hw_key, min(status) from mart_inferencemax__coverage
            where is_latest_snapshot group by 1, 2""")
    )
    assert status[("gpt-oss-120b", "b200_trt")] == "added"
    assert all(s == "lost" for (m, _), s in status.items() if m == "llama-3_3-70b-instruct-fp8")
    # the latest snapshot alone is counted: never stacked on the previous day's capture
    want = Counter()
    for f in REAL_LEGACY.glob("gpt-oss-120b_*_interactivity.json"):
        want.update(p["hwKey"] for p in json.loads(f.read_text())["data"])
    rows = dict(query(real, """select hw_key, count(*) from fct_inferencemax_points
                                where model_slug = 'gpt-oss-120b' group by 1"""))
    assert rows == dict(want)
    assert rows["b200_trt"] == 60


def test_production_sources_land_no_simulated_run(real):
    """`semibench run --from DIR` is a production run: the serve-sim demo (sample data only) never lands."""
    assert query(real, "select count(*) from raw.loadgen_runs") == [(0,)]
    assert query(real, "select count(*) from fct_runs where is_simulated or source = 'loadgen'") == [(0,)]
