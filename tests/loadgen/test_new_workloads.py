"""Workload shapes beyond one prompt per request, the saturation judge and guard, ISL calibration,
the client watch and the Prometheus scrape: datasets and arrivals as pure functions, the rest for real
against serve-sim on 127.0.0.1 (bounded runs; no timed assertions)."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from loadgen import run_loadtest
from loadgen.arrivals import arrival_offsets, read_rate_series
from loadgen.cli import app
from loadgen.clientwatch import ClientWatch
from loadgen.dataset_factory import build_dataset
from loadgen.dists import parse_dist
from loadgen.prefix_datasets import MooncakeDataset
from loadgen.saturation import SaturationGuard, judge_step
from loadgen.scrape import parse_prometheus
from loadgen.sessions import SessionsFile, ShareGPTSessions, turn_prompt
from loadgen.shards import ConfigError
from loadgen.sim.latency import LatencyModel
from loadgen.trace import read_trace

runner = CliRunner()


def write(path, lines):
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return path


# -- datasets ---------------------------------------------------------------------------
def test_shared_prefix_prompts_start_with_their_prefix():
    ds = build_dataset("shared-prefix", path=None, isl=16, osl=4, prefix_count=3, prefix_len=64, size=30)
    prompts = [ds.get(i) for i in range(30)]
    assert {p.prefix_id for p in prompts} == {0, 1, 2}
    for p in prompts:
        text = p.messages[0]["content"]
        assert text.startswith(ds.prefix(p.prefix_id) + " ")
        assert p.target_input_tokens == 64 + 16 and len(text.split()) == 80
    assert len({p.messages[0]["content"] for p in prompts}) == 30   # the unique parts differ


def test_mooncake_equal_hash_ids_are_equal_blocks(tmp_path):
    f = write(tmp_path / "m.jsonl", [json.dumps({"timestamp": 1000, "input_length": 10, "output_length": 3, "hash_ids": [7, 8, 9]}),
                                     json.dumps({"timestamp": 1500, "input_length": 6, "hash_ids": [7, 5]}),
                                     json.dumps({"timestamp": 500, "input_length": 3, "output_length": 2})])
    ds = MooncakeDataset(f, block_tokens=4, speed=2.0)
    assert ds.timestamps() == [0.0, 0.25, 0.5]              # sorted, from the first, at twice the speed
    first, a, b = (ds.get(i) for i in range(3))
    assert first.prefix_id is None and len(first.messages[0]["content"].split()) == 3
    wa, wb = a.messages[0]["content"].split(), b.messages[0]["content"].split()
    assert (len(wa), len(wb)) == (10, 6) and wa[:4] == wb[:4] and wa[4:6] != wb[4:6]
    assert (a.prefix_id, a.target_output_tokens, b.target_output_tokens) == (7, 3, None)


@pytest.mark.parametrize("line, needle", [
    ({"timestamp": "soon", "input_length": 3}, "m.jsonl:2: timestamp must be a number"),
    ({"timestamp": 1, "input_length": 0}, "m.jsonl:2: input_length must be an integer >= 1"),
    ({"timestamp": 1, "input_length": 3, "hash_ids": ["a"]}, "m.jsonl:2: hash_ids must be a list of integers"),
])
def test_mooncake_bad_line_names_file_line_and_field(tmp_path, line, needle):
    f = write(tmp_path / "m.jsonl", [json.dumps({"timestamp": 0, "input_length": 3}), json.dumps(line)])
    with pytest.raises(ConfigError, match=needle):
        MooncakeDataset(f)


def test_sessions_file_turns_and_errors(tmp_path):
    f = write(tmp_path / "s.jsonl", [json.dumps({"session_id": "a", "system": "be brief",
                                                 "turns": ["hi", {"content": "more", "max_tokens": 5, "think_time_s": 2}]}),
                                     json.dumps(["one", "two", "three"])])
    ds = SessionsFile(f, osl=None, think=parse_dist("0.5", "--think-time"))
    a, b = ds.session(0), ds.session(1)
    assert (a.session_id, [t.think_time_s for t in a.turns], a.turns[1].max_tokens) == ("a", [0.0, 2.0], 5)
    assert (b.session_id, len(b.turns), b.turns[2].think_time_s) == ("line2", 3, 0.5)
    p = turn_prompt(a, 1, [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    assert [m["role"] for m in p.messages] == ["system", "user", "assistant", "user"]
    assert (p.session_id, p.turn) == ("a", 1)
    assert ds.session(2).session_id == "a#1"       # more sessions than the file: repeated under new ids
    bad = write(tmp_path / "bad.jsonl", [json.dumps(["ok"]), json.dumps({"turns": [{"content": "x", "max_tokens": -1}]})])
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2: turns\[0\]\.max_tokens must be a positive integer"):
        SessionsFile(bad, None, parse_dist(None, "--think-time"))


def test_sharegpt_human_turns_with_reference_answer_lengths(tmp_path):
    f = tmp_path / "sg.json"
    f.write_text(json.dumps([
        {"id": "c1", "conversations": [{"from": "human", "value": "What is up?"}, {"from": "gpt", "value": "x" * 40},
                                       {"from": "human", "value": "And then?"}, {"from": "gpt", "value": "y" * 8}]},
        {"id": "c2", "conversations": [{"from": "gpt", "value": "no human here"}]},
    ]))
    ds = ShareGPTSessions(f, osl=None, think=parse_dist(None, "--think-time"))
    assert len(ds) == 1
    s = ds.session(0)
    assert (s.session_id, [t.content for t in s.turns], [t.max_tokens for t in s.turns]) == \
        ("c1", ["What is up?", "And then?"], [10, 2])
    assert [t.max_tokens for t in ShareGPTSessions(f, osl=7, think=parse_dist(None, "x"), max_turns=1).session(0).turns] == [7]
    f.write_text(json.dumps([{"id": "c3", "conversations": "nope"}]))
    with pytest.raises(ConfigError, match=r"sg\.json: item 0: expected an object with a `conversations` list"):
        ShareGPTSessions(f, None, parse_dist(None, "x"))


@pytest.mark.parametrize("text, ok", [("3", True), ("exp:2", True), ("uniform:1,3", True), ("normal:1,0.5", True),
                                      ("uniform:3,1", False), ("poisson:2", False), ("-1", False), ("exp:", False)])
def test_distribution_specs(text, ok):
    if ok:
        d = parse_dist(text, "--turns")
        assert d.mean > 0
    else:
        with pytest.raises(ConfigError, match="--turns"):
            parse_dist(text, "--turns")


# -- arrivals -----------------------------------------------------------------------------
def test_ramp_up_and_rate_series_shape_the_arrivals(tmp_path):
    it = arrival_offsets("constant", 10.0, ramp_up_s=4.0)
    offs = [next(it) for _ in range(40)]
    # the rate rises linearly to 10/s over 4 s: 20 arrivals in the ramp, 10 per second after it
    assert sum(1 for t in offs if t <= 4.0 + 1e-9) == 20
    assert sum(1 for t in offs if 4.0 < t <= 5.0 + 1e-9) == 10
    assert sum(1 for t in offs if t <= 2.0 + 1e-9) == 5       # a quarter of the ramp's arrivals in its first half
    series = read_rate_series(write(tmp_path / "r.txt", ["# t rate", "0 10", "1, 0", "2 20"]))
    it = arrival_offsets("constant", 1.0, rate_series=series)
    offs = [next(it) for _ in range(30)]
    assert sum(1 for t in offs if t < 1) == 9 and not any(1 < t < 2 for t in offs)
    assert sum(1 for t in offs if 2 <= t < 3) == 20
    for lines, needle in ((["0 1", "x y"], r"r2\.txt:2: expected `SECONDS RATE`"),
                          (["1 5"], r"r2\.txt:1: SECONDS must start at 0"),
                          (["0 5", "1 0"], "the last rate is 0")):
        with pytest.raises(ConfigError, match=needle):
            read_rate_series(write(tmp_path / "r2.txt", lines))


# -- the saturation judge and guard ---------------------------------------------------------
def _rec(i, send_ms, ttft, e2el=50.0, ok=True):
    return {"warmup": False, "error_class": None if ok else "http_5xx", "success": ok, "seq": i,
            "send_offset_ns": int(send_ms * 1e6), "ttft_ms": ttft if ok else None, "tpot_ms": 1.0 if ok else None,
            "e2el_ms": e2el if ok else None, "chunk_ns": [int(ttft * 1e6), int(e2el * 1e6)] if ok else []}


def test_judge_step_passes_a_step_that_keeps_up_and_fails_each_sign_of_saturation():
    steady = [_rec(i, i * 100, 20.0) for i in range(30)]                 # 10/s, served at 10/s
    v = judge_step(steady, offered_rate=10.0, goodput={"ttft": 100.0})
    assert v.passed and abs(v.achieved_rate - 10.0) < 1e-9 and v.slo_attainment == 1.0
    assert "achieved" in judge_step(steady, offered_rate=20.0, goodput={}).reasons[0]
    growing = [_rec(i, i * 100, 20.0 + 10 * i, e2el=50.0 + 10 * i) for i in range(30)]
    assert any("TTFT grows" in r for r in judge_step(growing, offered_rate=None, goodput={}).reasons)
    assert any("SLOs met by" in r for r in judge_step(steady, offered_rate=None, goodput={"ttft": 10.0}).reasons)
    errors = steady[:20] + [_rec(i, i * 100, 0, ok=False) for i in range(20, 30)]
    assert any("error rate" in r for r in judge_step(errors, offered_rate=None, goodput={}).reasons)
    assert not judge_step(steady, offered_rate=None, goodput={}, stopped_early="x").passed


def test_guard_trips_on_backlog_and_on_growing_queue_and_ttft_not_on_a_steady_run():
    g = SaturationGuard(max_backlog=50)
    assert g.sample(10, 5) is None and "waiting to be sent" in g.sample(51, 5)
    g = SaturationGuard(max_backlog=None, window=4, min_ttfts=4)
    g.ttfts += [10.0] * 4
    verdicts = []
    for k in range(1, 8):
        g.ttfts += [10.0 * 2 ** k] * 4
        verdicts.append(g.sample(0, 3 ** k))
    assert verdicts[-1] is not None and "past saturation" in verdicts[-1]
    steady = SaturationGuard(max_backlog=None, window=4, min_ttfts=4)
    steady.ttfts += [10.0] * 4
    for k in range(10):
        steady.ttfts += [10.0] * 4
        assert steady.sample(0, 8 + k % 2) is None


def test_guard_stops_an_overloaded_run_early(sim, cfg):
    # capacity: 2 at once x (5 + 19 x 5 ms) = 20 req/s; offered 200/s with the client capped at 8
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=5, max_concurrency=2))
    res = run_loadtest(cfg(h.base_url, osl=20, num_prompts=3000, request_rate=200.0, max_concurrency=8,
                           stop_on_saturation=True, max_backlog=40))
    assert res.status == "completed" and "waiting to be sent" in res.summary["stopped_early"]
    assert res.summary["completed"] + res.summary["failed"] < 3000
    _, records, end = read_trace(res.trace_path)
    assert end["status"] == "completed" and len(records) < 3000
    calm = run_loadtest(cfg(h.base_url, osl=20, num_prompts=10, request_rate=5.0, stop_on_saturation=True,
                            dirname="calm"))
    assert calm.summary["stopped_early"] is None and calm.summary["completed"] == 10


# -- honest measurements ----------------------------------------------------------------------
def test_calibrated_isl_hits_the_servers_tokenizer(sim, cfg):
    # serve-sim counts 1.6 tokens per word: uncalibrated "200-token" prompts cost 320 tokens there
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.1, prompt_token_factor=1.6))
    raw = run_loadtest(cfg(h.base_url, isl=200, osl=2, num_prompts=8))
    cal = run_loadtest(cfg(h.base_url, isl=200, osl=2, num_prompts=8, calibrate_isl=True, dirname="cal"))
    assert raw.summary["served_isl_p50"] == 320
    assert abs(cal.summary["served_isl_p50"] - 200) <= 4, cal.summary["served_isl_p50"]
    assert cal.summary["calibrated_words_per_token"] == pytest.approx(1 / 1.6, rel=0.02)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_client_watch_flags_a_lagging_client():
    # an idle client: 10 s of wall, 1 s of CPU, so only the loop lag decides
    wall, cpu = FakeClock(), FakeClock()
    w = ClientWatch(wall_clock=wall, cpu_clock=cpu)
    wall.now, cpu.now = 10.0, 1.0
    w.lags_ms = [0.2] * 99 + [1.0]
    assert w.report()["client_distorted"] is False
    w.lags_ms = [0.2] * 90 + [30.0] * 10
    r = w.report()
    assert r["client_distorted"] is True and "event-loop lag p99" in r["client_warning"]


def test_client_watch_flags_a_busy_cpu_only_over_a_long_enough_window():
    wall, cpu = FakeClock(), FakeClock()
    w = ClientWatch(wall_clock=wall, cpu_clock=cpu)
    w.lags_ms = [0.2] * 100
    wall.now, cpu.now = 10.0, 9.5
    r = w.report()
    assert r["client_distorted"] is True and "client CPU 95% of a core" in r["client_warning"]
    # a window of a few ms is all CPU by construction (seen: a test measured right after the watch started)
    wall.now, cpu.now = 0.005, 0.005
    r = w.report()
    assert r["client_cpu_util"] == 1.0 and r["client_distorted"] is False


def test_scrape_keeps_the_servers_gauges_and_no_key(sim, cfg, monkeypatch):
    text = ('# HELP x\nvllm:num_requests_waiting{model_name="a"} 3\nvllm:num_requests_waiting{model_name="b"} 2\n'
            'sglang:num_queue_reqs 7.5\nvllm:other 1\nbroken line\n')
    assert parse_prometheus(text) == {"vllm:num_requests_waiting": 5.0, "sglang:num_queue_reqs": 7.5}
    monkeypatch.setenv("LG_SCRAPE_KEY", "sk-scrape-SENTINEL")
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=20))
    res = run_loadtest(cfg(h.base_url, osl=20, num_prompts=20, request_rate=20.0, scrape_metrics="auto",
                           scrape_interval_s=0.2, api_key_env="LG_SCRAPE_KEY"))
    lines = [json.loads(x) for x in (res.run_dir / "server_metrics.jsonl").read_text().splitlines()]
    assert {"vllm:num_requests_running", "vllm:num_requests_waiting"} <= {x["metric"] for x in lines}
    assert res.summary["server_metrics_scrapes"] >= 1 and res.summary["server_metrics_failures"] == 0
    assert all(x["run_id"] == res.run_id for x in lines)
    assert "sk-scrape-SENTINEL" not in (res.run_dir / "server_metrics.jsonl").read_text()


def test_multi_turn_sends_the_history_with_the_servers_answers(sim, cfg):
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.5))
    res = run_loadtest(cfg(h.base_url, dataset="multi-turn", turns="3", isl=16, osl=5, num_prompts=2,
                           max_concurrency=2, save_text=False))
    _, records, _ = read_trace(res.trace_path)
    assert len(records) == 6 and all(r["generated_text"] is None for r in records)   # --no-save-text kept
    by = {(r["session_id"], r["turn"]): r for r in records}
    for sid in {r["session_id"] for r in records}:
        t0, t1, t2 = (by[(sid, t)] for t in range(3))
        # turn k = every earlier user turn (16 tokens) and answer (5 tokens) plus its own 16 tokens
        assert (t0["input_tokens"], t1["input_tokens"], t2["input_tokens"]) == (16, 37, 58)
        assert t0["send_offset_ns"] < t1["send_offset_ns"] < t2["send_offset_ns"]
        assert t1["send_offset_ns"] >= t0["send_offset_ns"] + t0["chunk_ns"][-1]     # after the answer


@pytest.mark.parametrize("args, needle", [
    (["--find-max", "latency"], "--find-max takes rate or concurrency"),
    (["--find-max", "concurrency"], "--find-max concurrency needs at least one --goodput SLO"),
    (["--dataset", "multi-turn", "--turns", "lots"], "--turns: expected a number"),
    (["--ramp-up", "5"], "--ramp-up needs a finite --request-rate"),
    (["--dataset", "mooncake"], "--dataset mooncake needs --dataset-path"),
    (["--calibrate-isl", "--dataset", "shared-prefix"], "--calibrate-isl works on --dataset random"),
])
def test_bad_new_arguments_fail_with_one_line(args, needle):
    res = runner.invoke(app, ["--base-url", "http://127.0.0.1:9", "--model", "m", "--no-preflight", *args])
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err.startswith("loadgen: error:") and needle in err and "\n" not in err


def test_capacity_formula_in_help_is_what_the_sim_does():
    lm = LatencyModel(ttft_ms=20, tpot_ms=10, max_concurrency=8)
    assert math.isclose(lm.max_concurrency / ((lm.ttft_ms + 15 * lm.tpot_ms) / 1000), 47.0588, rel_tol=1e-4)
