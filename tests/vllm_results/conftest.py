"""Fixture result files for the vLLM-results tests, written by the tests themselves, and the real dbt build.

Hand-computed figures (checked in test_vllm_dbt.py):
  run_a/vllm_result.json: one vLLM run, 4 requests, request 2 failed (error text, vLLM's 0.0 placeholders):
      ttfts 0.5 / 0.25 / - / 0.75 s  -> mean 500 ms (the saved mean_ttft_ms), median 500 ms
      e2el (latencies) 0.875 / 0.75 / - / 1.0 s; tpot (e2el - ttft) / (out - 1) = 187.5 / 500 / - / 250 ms
      --metadata tp=2 hw=b200-trt -> num_gpus 2, hw_key b200_trt; output 7 tok / 2 s = 3.5 tok/s -> 1.75 per GPU
  appended.jsonl: two summary-only results in one --append-result file (no `failed` key: older vLLM),
      100 of 100 and 98 of 100 completed -> failed 0 and 2; rate 8 req/s; `request_goodput:` spelling.
  aggs/run_1/agg_bmk.json: two InferenceMAX aggregates (seconds):
      [0] h100 vllm tp 4: mean_ttft 0.25 s -> 250 ms, tput 1000 x 4 GPUs = 4000 tok/s, output 100 x 4 = 400
      [1] gb200 dynamo-trt disaggregated, 4 prefill + 8 decode GPUs: tput 50 x 12 = 600 tok/s,
          output 30 per decode GPU x 8 = 240 tok/s = 20 per GPU over all 12
  aggs/run_2/agg_bmk.json: an empty array (a sweep in which nothing ran): valid, no runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
REAL_AGG_DIR = PROJECT_DIR.parent / "shared" / "inferencemax" / "agg_results"

# the whole project: vLLM runs feed fct_runs, which joins loadgen, InferenceMAX and the model marts, so a
# partial selection would leave some of their inputs unbuilt (every raw table exists after any ingest)
DBT_BUILD_ARGS = ["build"]

VLLM_RESULT = {
    "date": "20250115-093000", "endpoint_type": "vllm", "backend": "vllm", "label": None,
    "model_id": "openai/gpt-oss-120b", "tokenizer_id": "openai/gpt-oss-120b", "num_prompts": 4,
    "tp": "2", "precision": "fp8", "hw": "b200-trt",  # --metadata tp=2 precision=fp8 hw=b200-trt
    "request_rate": "inf", "burstiness": 1.0, "max_concurrency": 4,
    "duration": 2.0, "completed": 3, "failed": 1, "total_input_tokens": 60, "total_output_tokens": 7,
    "request_throughput": 1.5, "request_goodput": None, "output_throughput": 3.5, "total_token_throughput": 33.5,
    "input_lens": [10, 20, 40, 30], "output_lens": [3, 2, 0, 2],
    "ttfts": [0.5, 0.25, 0.0, 0.75], "itls": [[0.25, 0.125], [0.5], [], [0.25]],
    "latencies": [0.875, 0.75, 0.0, 1.0], "start_times": [100.0, 100.0, 100.0, 100.5],
    "generated_texts": ["a b c", "d e", "", "f g"], "errors": ["", "", "ClientError: 503 Service Unavailable", ""],
    "mean_ttft_ms": 500.0, "median_ttft_ms": 500.0, "std_ttft_ms": 204.12, "p99_ttft_ms": 749.0,
    "mean_tpot_ms": 312.5, "median_tpot_ms": 250.0, "std_tpot_ms": 131.0, "p99_tpot_ms": 495.0,
    "mean_itl_ms": 281.25, "median_itl_ms": 250.0, "std_itl_ms": 135.0, "p99_itl_ms": 492.5,
    "mean_e2el_ms": 875.0, "median_e2el_ms": 875.0, "std_e2el_ms": 102.06, "p99_e2el_ms": 997.5,
}


def summary_result(date: str, completed: int, **extra) -> dict:
    return {"date": date, "backend": "openai-chat", "model_id": "meta-llama/Llama-3.3-70B-Instruct",
            "tokenizer_id": "meta-llama/Llama-3.3-70B-Instruct", "num_prompts": 100, "request_rate": 8.0,
            "burstiness": 1.0, "max_concurrency": None, "duration": 12.5, "completed": completed,
            "total_input_tokens": 1000 * completed, "total_output_tokens": 100 * completed,
            "request_throughput": completed / 12.5, "request_goodput:": 7.6, "output_throughput": 8.0 * completed,
            "total_token_throughput": 88.0 * completed, "mean_ttft_ms": 40.0, "median_ttft_ms": 35.0,
            "std_ttft_ms": 5.0, "p99_ttft_ms": 90.0, "mean_tpot_ms": 11.0, "median_tpot_ms": 10.0,
            "std_tpot_ms": 1.0, "p99_tpot_ms": 20.0, **extra}


def agg(hw: str, framework: str, conc: int, **extra) -> dict:
    record = {"hw": hw, "conc": conc, "image": "img:1", "model": "openai/gpt-oss-120b", "infmax_model_prefix": "gptoss",
              "framework": framework, "precision": "fp4", "spec_decoding": "none", "isl": 1024, "osl": 1024,
              "mean_ttft": 0.25, "median_ttft": 0.2, "std_ttft": 0.05, "p99_ttft": 0.5,
              "mean_tpot": 0.02, "median_tpot": 0.025, "std_tpot": 0.001, "p99_tpot": 0.04,
              "mean_intvty": 50.0, "median_intvty": 40.0, "std_intvty": 1000.0, "p99_intvty": 25.0,
              "mean_itl": 0.02, "median_itl": 0.02, "std_itl": 0.01, "p99_itl": 0.1,
              "mean_e2el": 20.0, "median_e2el": 19.0, "std_e2el": 2.0, "p99_e2el": 30.0}
    return {**record, **extra}


AGGS = [
    agg("h100", "vllm", 64, disagg=False, is_multinode=False, tp=4, ep=1, dp_attention="false",
        tput_per_gpu=1000.0, output_tput_per_gpu=100.0, input_tput_per_gpu=900.0),
    agg("gb200", "dynamo-trt", 256, disagg=True, is_multinode=True, prefill_tp=4, prefill_ep=4,
        prefill_dp_attention="true", prefill_num_workers=1, decode_tp=8, decode_ep=8, decode_dp_attention="true",
        decode_num_workers=1, num_prefill_gpu=4, num_decode_gpu=8,
        tput_per_gpu=50.0, output_tput_per_gpu=30.0, input_tput_per_gpu=90.0),
]


def write_json(path: Path, value, indent: int | None = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=indent), encoding="utf-8")
    return path


def write_fixture_results(root: Path) -> dict[str, Path]:
    """A directory of mixed, valid result files; return their paths by name."""
    appended = root / "appended.jsonl"
    root.mkdir(parents=True, exist_ok=True)
    appended.write_text(  # vLLM --append-result: one object per line, newline-separated
        json.dumps(summary_result("20250116-100000", 100)) + "\n" + json.dumps(summary_result("20250116-110000", 98)),
        encoding="utf-8")
    return {
        "vllm": write_json(root / "run_a" / "vllm_result.json", VLLM_RESULT),
        "appended": appended,
        "agg": write_json(root / "aggs" / "run_1" / "agg_bmk.json", AGGS),
        "empty_agg": write_json(root / "aggs" / "run_2" / "agg_bmk.json", []),
    }


@pytest.fixture
def results(tmp_path) -> dict[str, Path]:
    return write_fixture_results(tmp_path / "results")


def build(root: Path, warehouse: Path):
    """The real `dbt build` of this part (semibench.dbt_runner: a child `python -m dbt.cli.main`), with the
    warehouse, target and logs under `root`."""
    from semibench.dbt_runner import run_dbt

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DBT_LOG_PATH", str(root / "dbt-logs"))
        return run_dbt(DBT_BUILD_ARGS, warehouse=warehouse, target_dir=root / "dbt-target")
