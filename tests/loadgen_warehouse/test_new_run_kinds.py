"""The newer run kinds end to end: run for real against serve-sim, landed, built (the session's built
warehouse, tests/loadgen_warehouse/conftest.py), and read back from their marts."""

from __future__ import annotations

import json

import duckdb

from tests.loadgen_warehouse.new_kinds import OSL, PREFIX_COUNT, SESSIONS, SIM_CAPACITY, THINK_S, TURNS


def query(db, sql, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_find_max_knee_is_within_10_percent_of_the_simulators_capacity(built):
    nk = built.new_kinds
    assert nk.find_max.returncode == 0, nk.find_max.stdout + nk.find_max.stderr
    doc = json.loads((nk.sweep_dir / "sweep.json").read_text())
    assert doc["kind"] == "find-max" and doc["knee"] is not None, doc
    assert abs(doc["knee"] / SIM_CAPACITY - 1) <= 0.10, (doc["knee"], SIM_CAPACITY, nk.find_max.stdout)
    # bounded: some step above the knee failed, and the search narrowed to its tolerance
    assert doc["first_failing"] is not None and doc["knee"] < doc["first_failing"] <= doc["knee"] * 1.06
    assert f"knee: {doc['knee']:.2f} req/s" in nk.find_max.stdout
    steps = [s for s in doc["steps"] if s["kind"] == "step"]
    assert doc["steps"][0]["kind"] == "probe" and len(steps) >= 3
    assert all(s["passed"] == (not s["reasons"]) for s in steps)
    # every step is a run directory of its own, landed by `semibench loadgen` with the sweep.json
    assert len(list(nk.sweep_dir.rglob("trace.jsonl"))) == len(doc["steps"])
    assert "sweep.json landed" in nk.find_max.stdout


def test_the_sweep_lands_as_a_curve_and_sql_finds_the_same_knee(built):
    nk = built.new_kinds
    doc = json.loads((nk.sweep_dir / "sweep.json").read_text())
    db = built.ws.published
    curve = query(db, """select run_id, is_closed_loop_probe, passes, is_simulated, sweep_param, offered_rate,
                                achieved_rate, p99_ttft_ms, p99_itl_ms
                         from mart_loadgen__sweep_curve where sweep_id = ? order by sweep_step""", [doc["sweep_id"]])
    assert [r[0] for r in curve] == [s["run_id"] for s in doc["steps"]]
    for row, step in zip(curve, doc["steps"]):
        _, probe, passes, simulated, param, offered, achieved, p99_ttft, _ = row
        assert simulated is True and param == "request_rate"
        assert probe == (step["kind"] == "probe")
        if not probe:
            assert passes == step["passed"], (row, step)       # loadgen's judge and the SQL agree
            assert abs(offered - step["load"]) < 1e-9
        assert abs(achieved - step["achieved_rate"]) <= 1e-6 * achieved
    (knee, failing, bounded, knee_run), = query(db, """select knee_load, first_failing_load, knee_is_bounded,
        knee_run_id from mart_loadgen__knee where sweep_id = ?""", [doc["sweep_id"]])
    assert (knee, failing, bounded) == (doc["knee"], doc["first_failing"], True)
    assert knee_run == next(s["run_id"] for s in doc["steps"] if s["load"] == doc["knee"])
    assert query(db, "select kind, reported_knee from staging.stg_loadgen__sweeps where sweep_id = ?",
                 [doc["sweep_id"]]) == [("find-max", doc["knee"])]


def test_multi_turn_run_lands_per_turn_and_per_session(built):
    run_id = json.loads((built.new_kinds.multi_turn / "summary.json").read_text())["run_id"]
    db = built.ws.published
    turns = query(db, """select turn, requests, succeeded, mean_input_tokens from mart_loadgen__turns
                         where run_id = ? order by turn""", [run_id])
    assert [t[0] for t in turns] == list(range(TURNS))
    assert all(t[1] == t[2] == SESSIONS for t in turns)
    # each turn carries the history: the prompt grows turn after turn
    assert all(a[3] < b[3] for a, b in zip(turns, turns[1:]))
    sessions = query(db, """select turns_sent, all_turns_answered, session_e2e_ms, first_turn_ttft_ms
                            from mart_loadgen__sessions where run_id = ?""", [run_id])
    assert len(sessions) == SESSIONS
    assert all(s[0] == TURNS and s[1] for s in sessions)
    # the think time between turns is inside the session's end-to-end time
    assert all(s[2] >= (TURNS - 1) * THINK_S * 1000 for s in sessions)
    (dataset, turns_spec), = query(db, "select dataset, turns_spec from staging.stg_loadgen__runs where run_id = ?",
                                   [run_id])
    assert (dataset, turns_spec) == ("multi-turn", str(TURNS))


def test_shared_prefix_run_shows_prefix_reuse_in_ttft(built):
    run_id = json.loads((built.new_kinds.shared_prefix / "summary.json").read_text())["run_id"]
    rows = query(built.ws.published, """select prefix_id, requests, first_use_ttft_ms, p50_reuse_ttft_ms, cached_share
                                        from mart_loadgen__prefix_reuse where run_id = ? order by prefix_id""", [run_id])
    assert [r[0] for r in rows] == list(range(PREFIX_COUNT))
    assert sum(r[1] for r in rows) == 12
    for _, n, first, reuse, cached in rows:
        assert n >= 2
        # the first use prefills the 2k-token prefix (~200 ms simulated); reuses hit the cache
        assert reuse < first / 2, rows
        assert cached > 0.5, rows


def test_mooncake_trace_replays_on_its_schedule(built):
    nk = built.new_kinds
    lines = [json.loads(x) for x in nk.mooncake_file.read_text().splitlines()]
    recs = [json.loads(x) for x in (nk.mooncake / "trace.jsonl").read_text().splitlines()[1:]]
    end = recs.pop()
    reqs = sorted((r for r in recs if r["type"] == "request"), key=lambda r: r["seq"])
    assert len(reqs) == len(lines)
    t0 = lines[0]["timestamp"]
    start = end["main_start_offset_ns"]
    for line, r in zip(lines, reqs):
        # scheduled at the file's own time (ms -> ns), relative to its first line
        assert abs(r["scheduled_offset_ns"] - start - (line["timestamp"] - t0) * 1e6) <= 1, (line, r)
        assert r["prefix_id"] == line["hash_ids"][0]
        assert r["target_input_tokens"] == line["input_length"]
    summary = json.loads((nk.mooncake / "summary.json").read_text())
    assert summary["p99_schedule_lag_ms"] is not None and summary["p99_schedule_lag_ms"] >= 0
    assert query(built.ws.published, "select p99_schedule_lag_ms from staging.stg_loadgen__runs where run_id = ?",
                 [summary["run_id"]]) == [(summary["p99_schedule_lag_ms"],)]


def test_placement_status_says_why_a_run_is_not_placed(built):
    from tests.loadgen_warehouse import synthetic

    db = built.ws.published
    status = {r[0]: r[1:] for r in query(db, "select run_id, is_placed, unplaced_reason from mart_loadgen__placement_status")}
    assert status[synthetic.RUN_ID] == (True, None)
    mt = json.loads((built.new_kinds.multi_turn / "summary.json").read_text())["run_id"]
    assert status[mt][0] is False and status[mt][1].startswith("unknown model: sim-model")
    # a multi-turn run is recorded under the ISL of one user turn; the server saw the history too
    (warning,), = query(db, "select isl_warning from mart_loadgen__placement_status where run_id = ?", [mt])
    assert warning.startswith("served ISL p50 72 is not the declared 32")
    assert query(db, "select isl_warning from mart_loadgen__placement_status where run_id = ?",
                 [synthetic.RUN_ID]) == [(None,)]
    failed = json.loads((built.failed_run / "summary.json").read_text())["run_id"]
    assert status[failed][0] is False and status[failed][1].startswith("no interactivity:")
    cli_run = json.loads((built.run_dir / "summary.json").read_text())["run_id"]
    placed, reason = status[cli_run]
    # 1k/128 is no InferenceMAX sequence; on a busy machine the sim's 0.3 ms tokens may all arrive at once
    assert placed or reason.startswith(("no matching sequence: InferenceMAX has no gpt-oss-120b point at ISL 1024 / OSL 128",
                                        "no interactivity:")), reason
    assert query(db, "select count(*) from mart_loadgen__placement_status where not is_placed and unplaced_reason is null") == [(0,)]
