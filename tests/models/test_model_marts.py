"""Cross-family model marts on the synthetic test data: InferenceMAX sample, generated vLLM results and
tool-use shards, and the loadgen demo run, all landed by `semibench run --synthetic` (numbers the tests can
recompute from sample_data/)."""

from __future__ import annotations

import json
import statistics

import duckdb
import pytest

from semibench_core import paths
from tests.pipeline.expected import load_points, per_hardware

VLLM_SAMPLES = paths.sample_event_dir("vllm_results")


@pytest.fixture(scope="module")
def ws(synthetic_run):
    return synthetic_run[0]  # read only


def query(ws, sql, params=None):
    con = duckdb.connect(str(ws.published), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_overview_puts_all_three_families_on_one_row(ws):
    (hw, tput, loadgen, vllm, agg_runs, own_p99, simulated), = query(ws, """
        select best_hw_key_1k_1k, best_tput_per_gpu_1k_1k, loadgen_runs, vllm_bench_runs, inferencemax_agg_runs,
               own_runs_best_p99_ttft_ms, simulated_runs
        from mart_model_overview where model_name = 'gpt-oss-120b'""")
    best = max(((h, max(y for _, y in pts)) for (m, s, h), pts in
                per_hardware(load_points(paths.sample_dir(), "interactivity")).items()
                if m == "gpt-oss-120b" and s == "1k_1k"), key=lambda kv: kv[1])
    assert (hw, tput) == (best[0], pytest.approx(best[1]))
    vllm_files = list(VLLM_SAMPLES.glob("vllm-*.json"))
    agg = [r for r in json.loads((VLLM_SAMPLES / "agg_bmk.json").read_text()) if r["model"].endswith("gpt-oss-120b")]
    # the loadgen demo ran against serve-sim: counted apart, never as the user's own run
    assert (loadgen, simulated, vllm, agg_runs) == (0, 1, len(vllm_files), len(agg))
    assert own_p99 is not None and own_p99 > 0


def test_runs_vs_inferencemax_medians_match_the_source_files(ws):
    rows = {source: (runs, p99) for source, runs, p99 in query(ws, """
        select source, runs, median_p99_ttft_ms from mart_model_latency_vs_inferencemax
        where model_name = 'gpt-oss-120b' and isl = 1024 and osl = 1024""")}
    vllm = [json.loads(f.read_text()) for f in VLLM_SAMPLES.glob("vllm-*.json")]
    assert rows["vllm_bench"] == (len(vllm), pytest.approx(statistics.median(r["p99_ttft_ms"] for r in vllm)))
    agg = [r for r in json.loads((VLLM_SAMPLES / "agg_bmk.json").read_text())
           if r["isl"] == 1024 and r["osl"] == 1024]
    # InferenceMAX aggregates carry seconds; the mart speaks milliseconds
    assert rows["inferencemax_agg"] == (len(agg), pytest.approx(statistics.median(r["p99_ttft"] * 1000 for r in agg)))
    assert rows["loadgen"][0] == 1
    # the demo is a serve-sim run: its own group, never an own run; still placed on the curves, flagged
    (simulated, own), = query(ws, """select is_simulated, is_own_run from mart_model_latency_vs_inferencemax
                                     where model_name = 'gpt-oss-120b' and source = 'loadgen'""")
    assert (simulated, own) == (True, False)
    assert query(ws, "select distinct is_simulated from mart_runs__inferencemax_placement where source = 'loadgen'") == [(True,)]


def test_tool_use_figures_agree_with_the_tool_use_rollup(ws):
    got = query(ws, """select o.model_name, o.tool_eval_tests, o.tool_eval_success_rate, a.tests, a.success_rate
                       from mart_model_overview o join agg_tool_eval_by_model a using (model_name)""")
    assert got and all(t == at and sr == pytest.approx(asr) for _, t, sr, at, asr in got)
    names = {r[0] for r in got}
    # deployment names (-2/-3) and virtual keys (qwen-key0..2) are counted under their real model
    assert "DeepSeek-V3-0324" in names and not any(n.startswith(("DeepSeek-V3-0324-", "qwen-key")) for n in names)


def test_readme_queries_answer_in_one_statement(ws):
    flawed = ws.cli("sql", "--format", "json", """
        select difficulty, sum(tests) as tests, sum(full_successes) / sum(tests) as success_rate
        from agg_tool_eval_by_cell
        where model_name = 'DeepSeek-V3-0324' and prompt_family = 'flawed'
        group by difficulty order by difficulty""")
    assert flawed.returncode == 0, flawed.stderr
    by_difficulty = {r["difficulty"]: r for r in json.loads(flawed.stdout)}
    assert set(by_difficulty) == {"easy", "medium", "hard"}
    assert by_difficulty["hard"]["success_rate"] < by_difficulty["easy"]["success_rate"]
    ttft = ws.cli("sql", "--format", "json", """
        select source, isl, osl, runs, median_p99_ttft_ms
        from mart_model_latency_vs_inferencemax
        where model_name = 'gpt-oss-120b'
        order by isl, osl, is_own_run desc, source""")
    assert ttft.returncode == 0, ttft.stderr
    assert {r["source"] for r in json.loads(ttft.stdout)} == {"loadgen", "vllm_bench", "inferencemax_agg"}
