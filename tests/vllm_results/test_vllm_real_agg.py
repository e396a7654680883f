"""The 27 real InferenceMAX run aggregates in ../shared (Dec 2025 - Jan 2026) land and build. Skipped when
the shared data is not present (it is never committed to the project)."""

from __future__ import annotations

import json

import duckdb
import pytest

from ingest.vllm_results import ingest_vllm_results

from .conftest import REAL_AGG_DIR, build

pytestmark = pytest.mark.skipif(not REAL_AGG_DIR.is_dir(), reason=f"real aggregates not present at {REAL_AGG_DIR}")

# elements per file, counted once by hand from the files; two runs aggregated nothing (empty arrays)
EXPECTED_RUNS = 1291
EXPECTED_FILES = 27
EXPECTED_PER_FILE = {"run_20218553330": 150, "run_20244442227": 0, "run_20356790608": 90,
                     "run_20806551498": 7, "run_21012127808": 65}
EXPECTED_DISAGGREGATED = 257  # multi-node runs: no tp, prefill + decode GPUs instead


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("vllm_real")
    warehouse = root / "wh.duckdb"
    first = ingest_vllm_results([REAL_AGG_DIR], warehouse)
    again = ingest_vllm_results([REAL_AGG_DIR], warehouse)
    result = build(root, warehouse)
    assert result.ok, "\n".join(result.output_tail)
    return first, again, warehouse, result


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_aggregate_lands_once(built):
    first, again, warehouse, _ = built
    assert (first.files, first.records_read, first.records_landed, len(first.rejections)) == \
        (EXPECTED_FILES, EXPECTED_RUNS, EXPECTED_RUNS, 0)
    assert first.by_kind == {"inferencemax_agg": EXPECTED_RUNS}
    assert (again.records_landed, again.records_already_landed) == (0, EXPECTED_RUNS)
    per_file = dict(query(warehouse, """
        select split_part(source_file, '/', -2), count(*) from intermediate.int_runs__inferencemax_agg group by 1"""))
    for run, n in EXPECTED_PER_FILE.items():
        assert per_file.get(run, 0) == n, run
    # and the counts agree with the files themselves
    for path in sorted(REAL_AGG_DIR.glob("run_*/agg_bmk.json")):
        assert per_file.get(path.parent.name, 0) == len(json.loads(path.read_text())), path


def test_build_is_clean_on_real_data(built):
    _, _, _, result = built
    assert set(result.counts()) == {"success", "pass"}, result.counts()


def test_real_runs_in_the_run_shape(built):
    _, _, warehouse, _ = built
    (runs, distinct_ids, disagg, no_slug, min_gpus, null_ttft), = query(warehouse, """
        select count(*), count(distinct run_id), count(*) filter (where tp is null),
               count(*) filter (where model_slug is null), min(num_gpus), count(*) filter (where median_ttft_ms is null)
        from intermediate.int_runs__inferencemax_agg""")
    assert (runs, distinct_ids, disagg, min_gpus, null_ttft) == (EXPECTED_RUNS, EXPECTED_RUNS, EXPECTED_DISAGGREGATED, 1, 0)
    # quantised variants and local paths (amd/...-MXFP4-Preview, /mnt/lustre01/models/...) are not catalog HF ids
    assert 0 < no_slug < EXPECTED_RUNS
    # the b200-trt runner spelling is mapped to the dashboard's b200_trt
    assert query(warehouse, "select count(*) from intermediate.int_runs__inferencemax_agg where hw_key = 'b200-trt'") == [(0,)]


def test_a_real_aggregate_converted_by_hand(built):
    _, _, warehouse, _ = built
    # the ingester records resolved paths (../shared may be a symlink)
    path = (REAL_AGG_DIR / "run_20218553330" / "agg_bmk.json").resolve()
    element = json.loads(path.read_text())[0]
    row, = query(warehouse, f"""
        select r.tp, r.num_gpus, r.mean_ttft_ms, r.p99_e2el_ms, r.median_interactivity, r.total_token_throughput
        from intermediate.int_runs__inferencemax_agg r
        join staging.stg_inferencemax__agg_runs s using (run_id)
        where s.source_file = '{path}' and s.source_locator = '[0]'""")
    assert row[0] == row[1] == element["tp"]
    assert row[2] == pytest.approx(element["mean_ttft"] * 1000)
    assert row[3] == pytest.approx(element["p99_e2el"] * 1000)
    assert row[4] == pytest.approx(element["median_intvty"], rel=1e-9)
    assert row[5] == pytest.approx(element["tput_per_gpu"] * element["tp"])
