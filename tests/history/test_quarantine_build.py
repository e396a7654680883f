"""Quarantined points and partial snapshots through a real `dbt build` (issue 10, InferenceMAX "Done when").

One timeline, one build (module fixture), every check on its result:

    T0  S0 = the sample, whole
    T1  S1 = the sample with one null metric and one numeric-string field, plus a model the catalog does not
             know (slug with a quote); landed by the CLI: exit 3
    T2  S2 = the sample minus one file, every y x 2, landed with --allow-partial: newest, but never latest
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from ingest.errors import EXIT_QUARANTINED
from semibench_core import paths
from semibench.dbt_runner import read_run_results
from tests.history.test_incremental_history import History

T0, T1, T2 = (datetime(2025, 11, d, 6, 0, tzinfo=timezone.utc) for d in (1, 2, 3))
FILE = "gpt-oss-120b-1k_8k-interactivity.json"
NULL_AT, COERCED_AT = 3, 7
UNKNOWN = "it's-a-\"model\""
DROPPED = "deepseek-r1-0528-8k_1k-e2e.json"


def _copy(dst):
    shutil.copytree(paths.sample_dir(), dst)
    for f in dst.glob("*.json"):
        f.chmod(0o644)
    return dst


def _ingest_cli(h: History, directory, when, *extra) -> subprocess.CompletedProcess:
    env = {"SEMIBENCH_WAREHOUSE": str(h.warehouse), "SEMIBENCH_ARCHIVE": str(h.archive)}
    return subprocess.run([sys.executable, "-m", "semibench.cli", "ingest", "inferencemax", "--from", str(directory),
                           "--fetched-at", when.isoformat(), "--quiet", *extra],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("quarantine-build")
    h = History(root)
    h.ids = {"s0": h.ingest(paths.sample_dir(), T0).snapshot_id}

    s1 = _copy(root / "s1")
    points = json.loads((s1 / FILE).read_text())
    points[NULL_AT]["x"] = None
    points[COERCED_AT]["conc"] = str(points[COERCED_AT]["conc"])
    h.coerced = dict(points[COERCED_AT])
    h.bad = dict(points[NULL_AT])
    (s1 / FILE).write_text(json.dumps(points))
    for t in ("interactivity", "e2e"):
        shutil.copy(s1 / f"gpt-oss-120b-1k_1k-{t}.json", s1 / f"{UNKNOWN}-1k_1k-{t}.json")
    h.s1_proc = _ingest_cli(h, s1, T1)
    h.ids["s1"] = h.query("select snapshot_id from raw.inferencemax_fetches where fetched_at = ?",
                          [T1.replace(tzinfo=None)])[0][0]

    s2 = _copy(root / "s2")
    (s2 / DROPPED).unlink()
    for f in s2.glob("*.json"):
        f.write_text(json.dumps([dict(p, y=p["y"] * 2) for p in json.loads(f.read_text())]))
    h.s2_refused = _ingest_cli(h, s2, T2)
    h.s2_proc = _ingest_cli(h, s2, T2, "--allow-partial")
    h.ids["s2"] = h.query("select snapshot_id from raw.inferencemax_snapshots where is_partial")[0][0]

    # the InferenceMAX marts and the quarantine model (not upstream of any mart), with their tests
    h.build_result = h.dbt("build", select=["--select", "+path:models/marts/inferencemax",
                                            "stg_inferencemax__points_quarantine", "--indirect-selection", "cautious"])
    h.results = read_run_results(h.last_target / "run_results.json")
    assert h.results, f"no run_results.json in {h.last_target}"
    return h


def test_cli_lands_the_snapshot_with_quarantined_points_and_exits_3(built):
    assert built.s1_proc.returncode == EXIT_QUARANTINED, built.s1_proc.stdout + built.s1_proc.stderr
    assert built.s1_proc.stdout.endswith(", 1 quarantined\n")


def test_build_passes_with_a_quarantine_warning_and_no_error(built):
    assert built.build_result.ok, built.build_result.output
    assert not [r for r in built.results if r.status in ("error", "fail")]
    warned = {r.unique_id.split(".")[2] for r in built.results if r.status == "warn"}
    assert "inferencemax_points_quarantined" in warned
    # the unknown model is listed by a warning, never an error
    assert any(w.startswith("relationships_fct_inferencemax_points_model_slug") for w in warned)


def test_quarantine_model_shows_the_bad_record_with_its_reasons(built):
    rows = built.query("""select family, batch_id, source_file, record_locator, reasons, record_json, landed_at
                          from staging.stg_inferencemax__points_quarantine order by all""")
    assert [r[:5] for r in rows] == [
        ("inferencemax", built.ids["s1"], FILE, f"record {NULL_AT}", "field 'x' is null, expected a number")]
    assert json.loads(rows[0][5]) == built.bad and rows[0][6] is not None


def test_every_other_point_lands_and_the_coerced_one_joins_with_a_note(built):
    s1 = built.ids["s1"]
    (notes,) = built.query("select notes from staging.stg_inferencemax__points where snapshot_id = ? and "
                           "source_file = ? and record_index = ?", [s1, FILE, COERCED_AT])[0]
    assert notes == f"coerced: conc from string '{built.coerced['conc']}'"
    sample = sum(len(json.loads(f.read_text())) for f in paths.sample_dir().glob("*.json"))
    unknown = 2 * len(json.loads((paths.sample_dir() / "gpt-oss-120b-1k_1k-e2e.json").read_text()))
    assert built.one("select count(*) from staging.stg_inferencemax__points where snapshot_id = ?", [s1]) == (
        sample + unknown - 1)
    key = (built.coerced["hwKey"], built.coerced["precision"], built.coerced["tp"], int(built.coerced["conc"]))
    assert built.query("""select match_status from fct_inferencemax_points where model_slug = 'gpt-oss-120b'
                          and sequence_slug = '1k_8k' and hw_key = ? and precision = ? and tp = ? and conc = ?""",
                       list(key)) == [("matched",)]


def test_partial_snapshot_is_refused_without_the_flag_and_never_latest_with_it(built):
    assert built.s2_refused.returncode == 1
    assert built.s2_refused.stderr.count("\n") == 1 and DROPPED in built.s2_refused.stderr
    assert built.s2_proc.returncode == 0, built.s2_proc.stderr
    assert built.query("""select snapshot_id, is_partial, is_latest from staging.stg_inferencemax__snapshots
                          order by snapshot_ordinal""") == [
        (built.ids["s0"], False, False), (built.ids["s1"], False, True), (built.ids["s2"], True, False)]
    # the previous whole snapshot stays the one the fact table and rollups show
    assert built.query("select distinct snapshot_id from fct_inferencemax_points") == [(built.ids["s1"],)]
    assert built.query("select distinct snapshot_id from mart_inferencemax__hardware_rollup") == [(built.ids["s1"],)]


def test_unknown_model_flows_to_the_marts_with_a_null_display_name(built):
    assert built.query("""select model_display_name, count(*) > 0 from fct_inferencemax_points
                          where model_slug = ? group by 1""", [UNKNOWN]) == [(None, True)]
