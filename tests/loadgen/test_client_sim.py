"""The client against serve-sim over real 127.0.0.1 sockets: metrics vs the injected
latencies, token accounting, and every error class."""

from __future__ import annotations

import socket

import pytest

from loadgen import run_loadtest
from loadgen.sim.latency import LatencyModel
from loadgen.trace import read_trace

TTFT, TPOT, OSL = 60.0, 10.0, 12
# Stated tolerance. Lower bounds are exact and hold per request, because they are
# causal: the server cannot emit token i before admission + TTFT + i*TPOT (absolute
# deadlines), and admission follows our send. Upper bounds allow for scheduling delay on
# 2 shared cores and apply to the median of 16 requests, so one CPU stall (which hits
# every request in flight at that moment) cannot fail the test:
#   TTFT:  TTFT <= each;      median <= TTFT + 40 ms
#   TPOT:  median within [TPOT - 0.5 ms, TPOT + 3 ms]  (an off-by-one in the
#          (E2EL - TTFT) / (tokens - 1) formula would give TPOT * 11/12 = 9.17 ms)
TTFT_SLACK_MS = 40.0
TPOT_LOW_MS, TPOT_HIGH_MS = 0.5, 3.0


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return (xs[(n - 1) // 2] + xs[n // 2]) / 2


def records_of(result):
    _, recs, end = read_trace(result.trace_path)
    assert end is not None and end["status"] == result.status
    return [r for r in recs if not r["warmup"]]


@pytest.mark.parametrize("backend", ["openai-chat", "openai-completions"])
def test_metrics_match_injected_latencies(sim, cfg, backend):
    h = sim(LatencyModel(ttft_ms=TTFT, tpot_ms=TPOT))
    res = run_loadtest(cfg(h.base_url, backend=backend, isl=300, osl=OSL, num_prompts=16,
                           max_concurrency=4))
    recs = records_of(res)
    assert res.status == "completed" and len(recs) == 16
    for r in recs:
        assert r["success"], r["error_message"]
        assert r["num_chunks"] == OSL and r["output_tokens"] == OSL
        assert r["input_tokens"] == 300 and not r["output_tokens_estimated"]
        assert r["ttft_ms"] >= TTFT
        assert r["e2el_ms"] >= TTFT + (OSL - 1) * TPOT
        assert len(r["itl_ms"]) == OSL - 1 and len(r["chunk_ns"]) == OSL
        assert r["ttft_ms"] == r["chunk_ns"][0] / 1e6
        assert r["tpot_ms"] == pytest.approx((r["e2el_ms"] - r["ttft_ms"]) / (OSL - 1))
    assert median([r["ttft_ms"] for r in recs]) <= TTFT + TTFT_SLACK_MS
    assert TPOT - TPOT_LOW_MS <= median([r["tpot_ms"] for r in recs]) <= TPOT + TPOT_HIGH_MS
    s = res.summary
    assert s["median_ttft_ms"] == pytest.approx(median([r["ttft_ms"] for r in recs]))
    assert TPOT - TPOT_LOW_MS <= s["median_itl_ms"] <= TPOT + TPOT_HIGH_MS
    assert s["total_output_tokens"] == 16 * OSL


def test_tokens_per_chunk_tpot_counts_tokens_not_chunks(sim, cfg):
    # 4 tokens per SSE event: ITL ~ 4*TPOT, but TPOT from usage tokens ~ TPOT.
    h = sim(LatencyModel(ttft_ms=20, tpot_ms=5, tokens_per_chunk=4))
    res = run_loadtest(cfg(h.base_url, osl=16, num_prompts=4))
    r = records_of(res)[0]
    assert r["num_chunks"] == 4 and r["output_tokens"] == 16
    # chunks every 20 ms carrying 4 tokens: E2EL - TTFT >= 60 ms over 15 token gaps
    assert r["tpot_ms"] >= (3 * 20) / 15 - TPOT_LOW_MS
    # ITLs are gaps between chunks (~20 ms), not per token (~5 ms). One late chunk shortens the next gap,
    # so no single gap has a safe lower bound on a busy machine; their mean sits far from 5 ms either way.
    assert len(r["itl_ms"]) == 3 and sum(r["itl_ms"]) / 3 >= 12.5


def test_without_usage_tokens_are_estimated_and_flagged(sim, cfg):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=1, usage=False))
    res = run_loadtest(cfg(h.base_url, isl=200, osl=10, num_prompts=3))
    for r in records_of(res):
        assert r["success"] and r["output_tokens_estimated"] and r["input_tokens_estimated"]
        assert r["output_tokens"] == 10          # 4-char words: the estimate is exact
        assert r["input_tokens"] == 200
    assert res.summary["output_tokens_estimated"] == 3


def test_server_rejecting_stream_options_falls_back(sim, cfg):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=1, reject_stream_options=True))
    res = run_loadtest(cfg(h.base_url, num_prompts=4, max_concurrency=1))
    recs = records_of(res)
    assert all(r["success"] and r["output_tokens_estimated"] for r in recs)
    assert h.stats["status"].get("400") == 1     # only the first request was refused


@pytest.mark.parametrize("latency, cls, status", [
    (LatencyModel(ttft_ms=1, tpot_ms=1, error_rate=1.0), "http_5xx", 500),
    (LatencyModel(ttft_ms=1, tpot_ms=1, rate_limit_rate=1.0), "http_429", 429),
    (LatencyModel(ttft_ms=1, tpot_ms=1, malformed_rate=1.0), "malformed_sse", 200),
    (LatencyModel(ttft_ms=1, tpot_ms=2, disconnect_rate=1.0), "disconnected", 200),
])
def test_error_classes(sim, cfg, latency, cls, status):
    h = sim(latency)
    res = run_loadtest(cfg(h.base_url, osl=20, num_prompts=4))
    recs = records_of(res)
    # every request failed: the run itself failed (--max-error-rate), its trace is complete
    assert res.status == "failed" and len(recs) == 4
    for r in recs:
        assert not r["success"] and r["error_class"] == cls and r["http_status"] == status
        assert r["error_message"] and "\n" not in r["error_message"]
        assert r["e2el_ms"] is None and r["tpot_ms"] is None
    assert res.summary["failed"] == 4 and res.summary["error_classes"] == {cls: 4}
    assert all(e for e in res.summary["errors"])


def test_connect_error_and_timeout(sim, cfg):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                   # nothing listens there now
    # past the preflight (which would stop the run at once), to see each request's record
    res = run_loadtest(cfg(f"http://127.0.0.1:{port}", num_prompts=2, dirname="refused", preflight=False))
    assert {r["error_class"] for r in records_of(res)} == {"connect_error"}
    assert all(r["http_status"] is None for r in records_of(res))

    h = sim(LatencyModel(ttft_ms=3000, tpot_ms=1))
    res = run_loadtest(cfg(h.base_url, num_prompts=2, read_timeout_s=0.3, dirname="slow"))
    assert {r["error_class"] for r in records_of(res)} == {"timeout"}


def test_retries_recover_from_429s(sim, cfg):
    h = sim(LatencyModel(ttft_ms=2, tpot_ms=1, rate_limit_rate=0.5, retry_after_s=0.01, seed=3))
    res = run_loadtest(cfg(h.base_url, num_prompts=12, max_retries=8, max_concurrency=2))
    recs = records_of(res)
    assert all(r["success"] for r in recs)
    assert sum(r["retries"] for r in recs) == h.stats["status"]["429"] > 0
    assert res.summary["retries"] == h.stats["status"]["429"]
