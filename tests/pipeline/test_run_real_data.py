"""The default `semibench run` (no source: the real published data bundled in sample_data/real, offline) and
imports of real captures on top of it. Its numbers must equal the bundled files'."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import duckdb
import pytest

from semibench import bundled
from tests.conftest import REAL_DASHBOARD, REAL_LEGACY, SHARED_DIR, clone
from tests.pipeline.expected import load_points, pareto_frontier, per_hardware

BUNDLED_DASHBOARD = bundled.dashboard_dir()
BUNDLED_API = bundled.inferencex_dir()
BUNDLED_AGG = bundled.agg_dir()

# True gpt-oss counts per data type in the 2025-10-23 capture (shared/README.md §1)
GPT_OSS_COUNTS = {"b200": 60, "h100": 45, "h200": 60, "h200_trt": 60, "mi300x": 60, "mi325x": 60, "mi355x": 45}


@pytest.fixture(scope="module")
def real(default_run):
    ws, proc = default_run  # the session's shared default run (tests/conftest.py)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ws.run_stdout = proc.stdout
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
    groups = per_hardware(load_points(BUNDLED_DASHBOARD, "interactivity"))
    got: dict = {}
    for model, seq, hw, x, y in query(real, """select model_slug, sequence_slug, hw_key, interactivity_x, interactivity_y
                                               from intermediate.int_inferencemax__pareto_frontier"""):
        got.setdefault((model, seq, hw), set()).add((x, y))
    assert got == {k: pareto_frontier(v) for k, v in groups.items()}


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.skipif(not REAL_DASHBOARD.is_dir(), reason="../shared/inferencemax not present")
def test_bundle_is_byte_identical_to_the_public_copies():
    shared = SHARED_DIR / "inferencemax"
    pairs = [(f, REAL_DASHBOARD / f.name) for f in BUNDLED_DASHBOARD.glob("*.json")]
    pairs += [(f, shared / "api_v1_fixtures" / f.name) for f in BUNDLED_API.glob("*.json")]
    pairs += [(f, shared / "agg_results" / f.parent.name / f.name) for f in BUNDLED_AGG.glob("run_*/agg_bmk.json")]
    assert len(pairs) == 18 + 6 + len(list((shared / "agg_results").glob("run_*/agg_bmk.json")))
    assert [str(b) for b, s in pairs if _sha256(b) != _sha256(s)] == []


def test_default_run_points_equal_the_bundled_dashboard_files(real):
    """Per model × sequence × hwKey: the count and the y values of fct_inferencemax_points are the files'."""
    want: dict = {}
    for f in BUNDLED_DASHBOARD.glob("*-interactivity.json"):
        model, seq = f.name.removesuffix("-interactivity.json").rsplit("-", 1)
        for p in json.loads(f.read_text()):
            want.setdefault((model, seq, p["hwKey"]), []).append(round(p["y"], 9))
    got: dict = {}
    for model, seq, hw, y, fetched in query(real, """select model_slug, sequence_slug, hw_key, interactivity_y,
                                                     snapshot_fetched_at from fct_inferencemax_points"""):
        got.setdefault((model, seq, hw), []).append(round(y, 9))
        assert f"{fetched:%Y-%m-%d}" == "2025-10-23"
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in want.items()}


def test_default_run_lands_the_inferencex_capture_and_run_aggregates(real):
    results = json.loads((BUNDLED_API / "benchmarks.json").read_text())
    (n, fetched), = query(real, """select count(*), any_value(c.fetched_at)
                                   from raw.inferencex_capture_records r join raw.inferencex_captures c using (capture_id)
                                   where r.record_kind = 'benchmarks'""")
    assert n == len(results)
    # the capture's own newest time, never the time of the run
    assert fetched == bundled.inferencex_capture_time(BUNDLED_API).replace(tzinfo=None)
    assert f"{fetched:%Y-%m-%d}" == "2026-06-14"
    hardware = {h for (h,) in query(real, """select distinct r.record ->> 'hardware' from raw.inferencex_records r
                                            where r.record_kind = 'benchmarks'""")}
    assert {"b300", "gb300"} <= hardware == {r["hardware"] for r in results}
    agg = sum(len(json.loads(f.read_text())) for f in BUNDLED_AGG.glob("run_*/agg_bmk.json"))
    assert query(real, "select count(*) from raw.vllm_results where record_kind = 'inferencemax_agg'") == [(agg,)]


def test_summary_and_report_name_the_sources_and_flag_the_demo_as_synthetic(real):
    data = next(line for line in real.run_stdout.splitlines() if line.startswith("data "))
    n_results = len(json.loads((BUNDLED_API / "benchmarks.json").read_text()))
    for part in (f"InferenceX API capture 2026-06-14 ({n_results} results", "InferenceMAX dashboard 2025-10-23 (1,339 points)",
                 "InferenceMAX run aggregates (Dec 2025–Jan 2026", "published benchmark results", "SYNTHETIC", "serve-sim"):
        assert part in data, (part, data)
    html = (real.reports / "latest" / "report.html").read_text()
    md = (real.reports / "latest" / "report.md").read_text()
    # the synthetic banner comes before anything else on the page
    assert html.index('id="synthetic-banner"') < html.index("<h1>") and "serve-sim" in html
    assert md.lstrip().startswith("> **Synthetic data")
    for text in (html, md):
        assert "InferenceX API capture 2026-06-14" in text and "InferenceMAX dashboard 2025-10-23" in text
        assert "published benchmark results" in text


# --- imports on top of the default run (on a copy: the default run is shared by the session) ---

@pytest.fixture(scope="module")
def legacy(real, tmp_path_factory):
    if not REAL_LEGACY.is_dir():
        return None  # ../shared lacks it
    ws = clone(real, tmp_path_factory.mktemp("real-legacy"))
    # the old pipeline's archive holds gpt-oss and DeepSeek only: a whole snapshot of a two-model configuration
    config = ws.root / "legacy.yaml"
    config.write_text("inferencemax:\n  models: [gpt-oss-120b, deepseek-r1-0528]\n")
    proc = ws.cli("run", "--from", str(REAL_LEGACY), "--config", str(config), "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return ws


def test_legacy_archive_import_shows_llama_lost_and_b200_trt_added(legacy):
    if legacy is None:
        pytest.skip("legacy archive not present")
    real = legacy
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


def test_production_sources_land_no_simulated_run(real, legacy):
    """Only the default run lands the serve-sim demo (flagged simulated); a `--from DIR` import on top of it
    (the legacy import, when ../shared is there) lands none."""
    for ws in filter(None, (real, legacy)):
        assert query(ws, "select count(*) from raw.loadgen_runs") == [(1,)]
        assert query(ws, "select count(*), count(*) filter (where is_simulated) from fct_runs where source = 'loadgen'") == [(1, 1)]
