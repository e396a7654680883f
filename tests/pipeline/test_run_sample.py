"""The main job end to end on the synthetic sample snapshot (`--from sample_data/inferencemax`, whose numbers the
tests can recompute): real ingest, real `dbt build`, real published DuckDB. The default run (real bundled data)
is tested in test_run_real_data.py."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil

import duckdb
import pytest

from semibench_core import paths
from tests.pipeline.expected import interpolate, load_points, pareto_frontier, per_hardware

SAMPLE = paths.sample_dir()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path_factory, "sample-run")
    proc = ws.cli("run", "--from", str(SAMPLE), "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return ws, proc


def query(ws, sql):
    con = duckdb.connect(str(ws.published), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_summary_names_snapshot_rows_and_hw_keys(built):
    ws, proc = built
    assert "snapshot" in proc.stdout and "(new)" in proc.stdout
    assert "fct_inferencemax_points" in proc.stdout
    assert "h200_trt" in proc.stdout  # hwKeys line
    assert "NOT published" not in proc.stdout
    # a generated snapshot is never passed off as published results
    data = next(line for line in proc.stdout.splitlines() if line.startswith("data "))
    assert "SYNTHETIC" in data and "sample snapshot" in data and "InferenceMAX dashboard" not in data


def test_every_sample_point_is_merged_once(built):
    ws, _ = built
    inter = load_points(SAMPLE, "interactivity")
    expected = sum(len(v) for v in inter.values())
    (n, n_keys, n_matched), = query(ws, """
        select count(*),
               count(distinct (model_slug, sequence_slug, hw_key, precision, tp, conc)),
               count(*) filter (where match_status = 'matched')
        from fct_inferencemax_points""")
    assert n == expected and n_keys == expected and n_matched == expected


def test_pareto_frontier_matches_independent_computation(built):
    ws, _ = built
    groups = per_hardware(load_points(SAMPLE, "interactivity"))
    rows = query(ws, """select model_slug, sequence_slug, hw_key, interactivity_x, interactivity_y
                        from intermediate.int_inferencemax__pareto_frontier""")
    got: dict = {}
    for model, seq, hw, x, y in rows:
        got.setdefault((model, seq, hw), set()).add((round(x, 6), round(y, 6)))
    want = {k: {(round(x, 6), round(y, 6)) for x, y in pareto_frontier(v)} for k, v in groups.items()}
    assert got == want


def test_rollup_best_tput_and_interpolated_targets(built):
    ws, _ = built
    groups = per_hardware(load_points(SAMPLE, "interactivity"))
    rows = query(ws, """select model_slug, sequence_slug, hw_key, point_count, best_tput_per_gpu,
                               tput_per_gpu_at_20_tps_user, tput_per_gpu_at_50_tps_user, tput_per_gpu_at_100_tps_user
                        from mart_inferencemax__hardware_rollup""")
    assert len(rows) == len(groups)
    for model, seq, hw, n, best, at20, at50, at100 in rows:
        pts = groups[(model, seq, hw)]
        assert n == len(pts)
        assert best == pytest.approx(max(y for _, y in pts))
        front = pareto_frontier(pts)
        for target, got in ((20, at20), (50, at50), (100, at100)):
            want = interpolate(front, target)
            assert (got is None) == (want is None), (model, seq, hw, target, got, want)
            if want is not None:
                assert got == pytest.approx(want, rel=1e-9)


def test_sql_command_answers_best_tput_per_hw_for_gpt_oss_1k1k(built):
    ws, _ = built
    proc = ws.cli("sql", "--format", "csv",
                  "select hw_key, best_tput_per_gpu from mart_inferencemax__hardware_rollup "
                  "where model_slug = 'gpt-oss-120b' and sequence_slug = '1k_1k' order by best_tput_per_gpu desc")
    assert proc.returncode == 0, proc.stderr
    got = list(csv.reader(io.StringIO(proc.stdout)))
    assert got[0] == ["hw_key", "best_tput_per_gpu"]
    want = {hw: max(y for _, y in pts)
            for (m, s, hw), pts in per_hardware(load_points(SAMPLE, "interactivity")).items()
            if m == "gpt-oss-120b" and s == "1k_1k"}
    assert {r[0]: float(r[1]) for r in got[1:]} == pytest.approx(want)
    assert [float(r[1]) for r in got[1:]] == sorted(want.values(), reverse=True)


def test_sql_command_reports_bad_sql_in_one_line(built):
    ws, _ = built
    proc = ws.cli("sql", "select * from no_such_table")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "no_such_table" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_export_csv_and_parquet_round_trip(built, tmp_path):
    ws, _ = built
    (n,), = query(ws, "select count(*) from fct_inferencemax_points")
    for name in ("merged.csv", "merged.parquet"):
        out = tmp_path / name
        proc = ws.cli("export", "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        reader = "read_csv_auto" if name.endswith(".csv") else "read_parquet"
        (m,), = duckdb.sql(f"select count(*) from {reader}('{out}')").fetchall()
        assert m == n
    header = (tmp_path / "merged.csv").read_text().splitlines()[0].split(",")
    for column in ("hw_key", "precision", "tp", "conc", "interactivity_x", "interactivity_y", "e2e_x", "e2e_y"):
        assert column in header


def test_rerun_of_same_content_adds_nothing(built):
    ws, _ = built
    before = query(ws, "select count(*) from raw.inferencemax_points")
    proc = ws.cli("run", "--from", str(SAMPLE), "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "already landed" in proc.stdout
    assert query(ws, "select count(*) from raw.inferencemax_points") == before
    assert query(ws, "select count(*) from raw.inferencemax_fetches") == [(2,)]


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_fetch_leaves_published_and_raw_untouched(built, tmp_path):
    ws, _ = built
    before_pub = _sha(ws.published)
    before_raw = query(ws, "select count(*) from raw.inferencemax_points")
    config = tmp_path / "dead.yml"
    # a port nothing listens on: every fetch fails after bounded retries
    config.write_text("inferencemax:\n  base_url: http://127.0.0.1:9\n  timeout_s: 0.5\n  retries: 1\n  backoff_s: 0.01\n")
    proc = ws.cli("run", "--live", "--config", str(config), "--quiet")
    assert proc.returncode == 1
    assert "127.0.0.1:9" in proc.stderr and proc.stderr.startswith("error: ")
    assert _sha(ws.published) == before_pub
    assert query(ws, "select count(*) from raw.inferencemax_points") == before_raw


def test_coverage_loss_is_reported_and_warned(built, tmp_path):
    from tests.conftest import clone

    ws = clone(built[0], tmp_path / "coverage")  # the module's sample run, then a later snapshot on top
    later = ws.root / "later"
    shutil.copytree(SAMPLE, later)
    lost_model, lost_hw = "gpt-oss-120b", "h100"
    for f in later.glob(f"{lost_model}-*.json"):
        f.chmod(0o644)
        points = json.loads(f.read_text())
        f.write_text(json.dumps([p for p in points if p["hwKey"] != lost_hw]))
    proc = ws.cli("run", "--from", str(later), "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # a warning, not a failure
    assert "WARN" in proc.stdout and "coverage" in proc.stdout
    lost = query(ws, """select model_slug, sequence_slug, hw_key from mart_inferencemax__coverage
                        where status = 'lost' and is_latest_snapshot order by all""")
    assert lost == [(lost_model, s, lost_hw) for s in ("1k_1k", "1k_8k", "8k_1k")]


def test_failed_build_keeps_the_last_good_published_warehouse(built, tmp_path):
    from tests.conftest import clone

    ws = clone(built[0], tmp_path / "failed-build")
    good = _sha(ws.published)
    # nothing the ingester lands can fail the build any more (bad points are quarantined, unknown models
    # warn): a stray write behind its back does, a fetch row of a snapshot that does not exist
    con = duckdb.connect(str(ws.warehouse))
    con.execute("insert into raw.inferencemax_fetches values ('no-such-snapshot', 'stray', now(), now(), true)")
    con.close()
    proc = ws.cli("run", "--from", str(SAMPLE), "--quiet")
    assert proc.returncode == 1
    assert "NOT published" in proc.stdout
    assert "FAIL" in proc.stdout or "ERROR" in proc.stdout
    assert _sha(ws.published) == good
