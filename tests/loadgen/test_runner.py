"""Whole runs against serve-sim: concurrency caps, sharding, arrivals on real sockets,
adaptive back-off, duration mode, warm-up, sweeps and --workers."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from loadgen import run_loadtest, run_sweep
from loadgen.shards import ConfigError
from loadgen.sim.latency import LatencyModel
from loadgen.trace import read_trace


def main_records(result):
    _, recs, end = read_trace(result.trace_path)
    assert end is not None
    return [r for r in recs if not r["warmup"]]


def peak_overlap(recs) -> int:
    """Most requests simultaneously between send and last byte, from the trace alone."""
    ev = []
    for r in recs:
        end = r["send_offset_ns"] + (r["chunk_ns"][-1] if r["chunk_ns"] else 0)
        ev += [(r["send_offset_ns"], 1), (end, -1)]
    cur = peak = 0
    for _, d in sorted(ev, key=lambda e: (e[0], e[1])):
        cur += d
        peak = max(peak, cur)
    return peak


def test_concurrency_cap_never_exceeded(sim, cfg):
    h = sim(LatencyModel(ttft_ms=10, tpot_ms=2))
    res = run_loadtest(cfg(h.base_url, num_prompts=40, osl=10, max_concurrency=5))
    recs = main_records(res)
    assert len(recs) == 40 and all(r["success"] for r in recs)
    assert h.stats["max_inflight"] == 5          # the cap is reached ...
    assert max(r["inflight_at_send"] for r in recs) == 5   # ... and never exceeded
    assert peak_overlap(recs) <= 5
    assert res.summary["max_concurrent_requests"] <= 5
    # all-at-once: everything is scheduled at the main-phase start; later ones queue
    starts = {r["scheduled_offset_ns"] for r in recs}
    assert len(starts) == 1 and max(r["queue_ns"] for r in recs) > 0


def test_poisson_arrivals_on_real_sockets_keep_the_mean_rate(sim, cfg):
    h = sim(LatencyModel(ttft_ms=2, tpot_ms=1))
    rate, n = 100.0, 150
    res = run_loadtest(cfg(h.base_url, num_prompts=n, osl=4, request_rate=rate, seed=11))
    recs = sorted(main_records(res), key=lambda r: r["seq"])
    assert all(r["success"] for r in recs)
    sends = sorted(r["send_offset_ns"] for r in recs)
    observed = (n - 1) / ((sends[-1] - sends[0]) / 1e9)
    # Poisson with n=150 has ~8 % sd on the mean gap; sends may lag the schedule a little.
    assert 0.7 * rate < observed < 1.3 * rate
    sched = [r["scheduled_offset_ns"] for r in recs]
    assert sched == sorted(sched) and len(set(sched)) == n   # one arrival per request
    assert res.summary["request_rate"] == rate


def test_shards_spread_evenly_with_caps_stagger_and_base_model(sim, cfg, tmp_path):
    h = sim(LatencyModel(ttft_ms=10, tpot_ms=2))
    shards = tmp_path / "shards.yaml"
    shards.write_text(f"""
base_url: {h.base_url}
shards:
  - {{name: a, model: DeepSeek-V3-0324, max_concurrency: 2}}
  - {{name: b, model: DeepSeek-V3-0324-2, max_concurrency: 3}}
  - {{name: c, model: DeepSeek-V3-0324-3, max_concurrency: 2, start_delay_s: 0.3}}
""")
    res = run_loadtest(cfg(None, model=None, shards_file=str(shards), num_prompts=30, osl=6))
    recs = main_records(res)
    by = Counter(r["shard"] for r in recs)
    assert by == {"a": 10, "b": 10, "c": 10}
    caps = {"a": 2, "b": 3, "c": 2}
    for name, cap in caps.items():
        mine = [r for r in recs if r["shard"] == name]
        assert max(r["shard_inflight_at_send"] for r in mine) <= cap
        assert peak_overlap(mine) <= cap
        assert {r["deployment"] for r in mine} == {f"DeepSeek-V3-0324{'' if name == 'a' else '-' + str(ord(name) - 96)}"}
    assert {r["model"] for r in recs} == {"DeepSeek-V3-0324"}
    assert min(r["send_offset_ns"] for r in recs if r["shard"] == "c") >= 0.3e9
    s = res.summary
    assert s["model_id"] == "DeepSeek-V3-0324" and set(s["shards"]) == {"a", "b", "c"}
    assert s["shards"]["b"]["deployment"] == "DeepSeek-V3-0324-2"


def test_adaptive_mode_backs_off_on_429(sim, cfg):
    # The server accepts 6 requests in flight and answers 429 beyond; the client offers
    # ~7 concurrent at 250 req/s with a cap of 12. Fixed mode keeps hitting the limit
    # (~40 429s); adaptive halves its cap to 6 on the first 429s and then only touches
    # the limit when it climbs back (a handful).
    lm = LatencyModel(ttft_ms=20, tpot_ms=2, limit_inflight=6)
    out = {}
    for mode in ("fixed", "adaptive"):
        h = sim(lm)
        res = run_loadtest(cfg(h.base_url, num_prompts=150, osl=5, request_rate=250.0,
                               max_concurrency=12, rate_mode=mode, adaptive_interval_s=0.25,
                               seed=5, dirname=mode))
        recs = main_records(res)
        out[mode] = (sum(r["error_class"] == "http_429" for r in recs),
                     min(r["concurrency_limit"] for r in recs), res)
    n429_fixed, min_cap_fixed, _ = out["fixed"]
    n429_adapt, min_cap_adapt, res = out["adaptive"]
    assert min_cap_fixed == 12 and n429_fixed > 15
    assert min_cap_adapt <= 6                   # it backed off
    assert n429_adapt < 0.5 * n429_fixed        # and that cut the 429s
    assert res.extra["backoffs"]["default"] >= 1


def test_duration_mode_stops_issuing(sim, cfg):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=1))
    res = run_loadtest(cfg(h.base_url, num_prompts=None, duration_s=0.8, request_rate=50.0, osl=4))
    recs = main_records(res)
    assert res.status == "completed" and 15 <= len(recs) <= 70
    main_start = res.extra["main_start_offset_ns"]
    assert max(r["send_offset_ns"] for r in recs) - main_start <= 0.8e9 + 0.1e9


def test_duration_closed_loop_needs_a_cap_and_runs_with_one(sim, cfg):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=1))
    with pytest.raises(ConfigError, match="--max-concurrency"):
        run_loadtest(cfg(h.base_url, num_prompts=None, duration_s=0.3))
    res = run_loadtest(cfg(h.base_url, num_prompts=None, duration_s=0.4, max_concurrency=3, osl=4))
    recs = main_records(res)
    assert len(recs) >= 6 and peak_overlap(recs) <= 3


def test_warmup_is_traced_but_not_summarised(sim, cfg):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=1))
    res = run_loadtest(cfg(h.base_url, num_prompts=6, warmup=3, max_concurrency=2))
    _, recs, end = read_trace(res.trace_path)
    warm = [r for r in recs if r["warmup"]]
    assert len(warm) == 3 and all(r["request_id"].endswith(f"warmup-{r['seq']:06d}") for r in warm)
    assert res.summary["completed"] == 6 and res.summary["warmup_requests"] == 3
    assert end["main_start_offset_ns"] >= max(w["send_offset_ns"] for w in warm)
    assert h.stats["requests"] == 9


def test_sweep_runs_one_step_per_value(sim, cfg, tmp_path):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=1))
    res = run_sweep(cfg(h.base_url, num_prompts=6, out_dir=str(tmp_path / "sw")),
                    "max_concurrency", [1, 3])
    assert [r.status for r in res.steps] == ["completed", "completed"]
    index = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    assert [s["param"] for s in index["steps"]] == ["1", "3"]
    for i, step in enumerate(res.steps):
        header, recs, _ = read_trace(step.trace_path)
        assert header["sweep_id"] == res.sweep_id and header["sweep_step"] == i
        assert header["max_concurrency"] == [1, 3][i] and len(recs) == 6
        assert step.run_dir.name.startswith(f"step-{i:02d}-concurrency-")
    assert max(r["inflight_at_send"] for r in main_records(res.steps[0])) == 1


def test_sweep_rejects_bad_values_before_running(sim, cfg):
    h = sim()
    with pytest.raises(ConfigError):
        run_sweep(cfg(h.base_url), "request_rate", [5.0, 0.0])
    assert h.stats["requests"] == 0


def test_workers_mode_merges_traces(sim, cfg):
    h = sim(LatencyModel(ttft_ms=10, tpot_ms=2))
    res = run_loadtest(cfg(h.base_url, num_prompts=24, osl=6, max_concurrency=4, workers=2,
                           request_rate=200.0, warmup=2))
    header, recs, end = read_trace(res.trace_path)
    main = [r for r in recs if not r["warmup"]]
    assert res.status == "completed" and end["status"] == "completed"
    assert header["workers"] == 2 and end["requests_written"] == 26
    assert sorted(r["seq"] for r in main) == list(range(24))
    assert {r["worker"] for r in main} == {0, 1}
    assert all(r["seq"] % 2 == r["worker"] for r in main)
    assert len({r["request_id"] for r in recs}) == 26
    # one time base: sends are after the common start, in order in the merged file
    assert min(r["send_offset_ns"] for r in main) >= end["main_start_offset_ns"]
    sends = [r["send_offset_ns"] for r in main]
    assert sends == sorted(sends)
    assert h.stats["max_inflight"] <= 4           # 2 + 2: the cap split between workers
    assert res.summary["completed"] == 24 and res.summary["workers"] == 2
    assert not (res.run_dir / "workers").exists()


def test_busy_poll_run_completes_and_stops_polling(sim, cfg):
    import asyncio
    from loadgen import run_loadtest_async

    h = sim(LatencyModel(ttft_ms=3, tpot_ms=1))

    async def go():
        res = await run_loadtest_async(cfg(h.base_url, num_prompts=5, request_rate=100.0,
                                           busy_poll=True))
        # nothing of the run may keep running (the poller included)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return res, others

    res, others = asyncio.run(go())
    assert res.status == "completed" and res.summary["completed"] == 5 and others == []


def test_demo_api_runs_against_an_in_process_serve_sim(tmp_path):
    from loadgen import run_demo, serve_sim_in_thread

    res = run_demo(tmp_path / "demo", num_prompts=12, request_rate=60.0)
    assert res.status == "completed" and res.summary["completed"] == 12
    assert (tmp_path / "demo" / "summary.json").exists()
    with serve_sim_in_thread(LatencyModel.zero()) as url:
        assert url.startswith("http://127.0.0.1:")
