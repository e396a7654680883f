"""Summary statistics against hand-computed values (vLLM definitions)."""

from __future__ import annotations

import math

import pytest

from loadgen.metrics import build_summary, describe, percentile
from loadgen.records import REQUEST_FIELD_NAMES, itls_ms

VLLM_KEYS = ["date", "backend", "model_id", "tokenizer_id", "num_prompts", "request_rate",
             "burstiness", "max_concurrency", "duration", "completed", "total_input_tokens",
             "total_output_tokens", "request_throughput", "request_goodput", "output_throughput",
             "total_token_throughput", "input_lens", "output_lens", "ttfts", "itls",
             "generated_texts", "errors"] + [
    f"{s}_{m}_ms" for m in ("ttft", "tpot", "itl", "e2el") for s in ("mean", "median", "std", "p99")]


def rec(seq, chunks_ms, out_tokens, *, success=True, shard="a", err=None, warmup=False, inp=10):
    chunks = [int(c * 1e6) for c in chunks_ms]
    r = dict.fromkeys(REQUEST_FIELD_NAMES)
    r.update(type="request", seq=seq, warmup=warmup, shard=shard, deployment=shard, model="m",
             endpoint="http://x", send_offset_ns=seq * 10**8, chunk_ns=chunks,
             ttft_ms=chunks_ms[0] if chunks else None,
             e2el_ms=chunks_ms[-1] if success else None,
             tpot_ms=((chunks_ms[-1] - chunks_ms[0]) / (out_tokens - 1)
                      if success and out_tokens > 1 else None),
             itl_ms=itls_ms(chunks), input_tokens=inp, output_tokens=out_tokens,
             output_tokens_estimated=False, input_tokens_estimated=False,
             success=success, error_class=err, error_message=f"boom {seq}" if err else None,
             retries=0, generated_text="t")
    return r


def test_percentile_is_numpy_linear_interpolation():
    assert percentile([1, 2, 3, 4], 99) == pytest.approx(3.97)
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert percentile([], 99) == 0.0


def test_describe_population_std_and_keys():
    d = describe([1.0, 2.0, 3.0, 4.0], [50, 90, 99.9], "ttft")
    assert d["mean_ttft_ms"] == 2.5 and d["median_ttft_ms"] == 2.5
    assert d["std_ttft_ms"] == pytest.approx(math.sqrt(1.25))
    assert set(d) == {"mean_ttft_ms", "median_ttft_ms", "std_ttft_ms", "p50_ttft_ms",
                      "p90_ttft_ms", "p99.9_ttft_ms"}


def test_summary_matches_hand_computation():
    records = [
        rec(0, [100, 110, 130], 3),                    # TPOT (130-100)/2 = 15, ITLs 10, 20
        rec(1, [200, 240], 5),                         # 5 tokens in 2 chunks: TPOT 40/4 = 10
        rec(2, [50], 1),                               # single token: no TPOT
        rec(3, [70, 80], 2, success=False, err="disconnected"),
        rec(4, [], 0, success=False, err="cancelled"),  # left out entirely
        rec(0, [1, 2], 2, warmup=True),                # warm-up: left out
    ]
    run = {"run_id": "r1", "request_rate": math.inf, "backend": "openai-chat",
           "model_id": "m", "num_prompts": 5, "burstiness": 1.0, "max_concurrency": 4}
    s = build_summary(records, duration_s=2.0, run=run, percentiles=[50],
                      goodput={"ttft": 150, "tpot": 12})
    assert set(VLLM_KEYS) <= set(s)
    assert (s["completed"], s["failed"], s["num_errors"], s["cancelled"]) == (3, 1, 1, 1)
    assert s["warmup_requests"] == 1
    assert s["total_input_tokens"] == 30 and s["total_output_tokens"] == 9
    assert s["request_throughput"] == 1.5 and s["output_throughput"] == 4.5
    assert s["total_token_throughput"] == 19.5
    assert s["mean_ttft_ms"] == pytest.approx((100 + 200 + 50) / 3)
    assert s["mean_tpot_ms"] == pytest.approx(12.5)
    assert s["mean_itl_ms"] == pytest.approx((10 + 20 + 40) / 3)
    assert s["median_e2el_ms"] == 130
    assert "p50_ttft_ms" in s and "p99_ttft_ms" in s           # 99 always included
    # goodput: req0 (ttft 100, tpot 15 > 12) no; req1 (200 > 150) no; req2 (50, tpot 0) yes
    assert s["request_goodput"] == pytest.approx(0.5)
    assert s["request_rate"] == "inf"
    # vLLM per-request arrays: main phase in seq order, seconds, zeros for failures
    assert s["ttfts"] == [0.1, 0.2, 0.05, 0.0]
    assert s["itls"] == [[0.01, 0.02], [0.04], [], []]
    assert s["output_lens"] == [3, 5, 1, 0]
    assert s["errors"] == ["", "", "", "boom 3"]
    assert s["error_classes"] == {"disconnected": 1}
    assert s["max_concurrent_requests"] >= 1


def test_summary_shard_breakdown_and_per_gpu():
    records = [rec(0, [10, 20], 2, shard="a"), rec(1, [30, 40], 2, shard="b"),
               rec(2, [10], 1, shard="a", success=False, err="http_429")]
    s = build_summary(records, duration_s=1.0, run={"num_gpus": 4}, percentiles=[99], goodput={})
    assert set(s["shards"]) == {"a", "b"}
    assert s["shards"]["a"]["completed"] == 1 and s["shards"]["a"]["failed"] == 1
    assert s["shards"]["a"]["error_classes"] == {"http_429": 1}
    assert s["shards"]["b"]["mean_ttft_ms"] == 30
    assert s["request_goodput"] is None
    assert s["output_throughput_per_gpu"] == pytest.approx(4 / 4)


def test_empty_run_reports_no_latency_and_zero_throughput():
    s = build_summary([], duration_s=0.0, run={}, percentiles=[99], goodput={})
    # no successful request: no latency at all (null), never a 0.00 ms that reads as fast
    assert s["completed"] == 0 and s["request_throughput"] == 0.0
    assert s["mean_ttft_ms"] is None and s["p99_e2el_ms"] is None and s["median_itl_ms"] is None
