"""What real servers do to a client (shared/README.md section 6), played by serve-sim on
127.0.0.1: connections closed after each response or when idle, 503 while the model
loads, nothing listening, a wrong model or key; and the run's own verdict
(--max-error-rate, no 0.00 ms latencies for a run with nothing to measure)."""

from __future__ import annotations

import json
import socket
import time

import pytest
from typer.testing import CliRunner

import loadgen.runner as runner_mod
from loadgen import run_loadtest
from loadgen.cli import app
from loadgen.preflight import PreflightError
from loadgen.sim.latency import LatencyModel
from loadgen.trace import read_trace

from .conftest import loadgen_cli

cli = CliRunner()
KEY = "sk-real-servers-SENTINEL-51c0"


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


def _without_connection_retry(monkeypatch) -> None:
    orig = runner_mod.client_options

    def opts(cfg, ignore_eos):
        o = orig(cfg, ignore_eos)
        o.connection_retry = False
        return o

    monkeypatch.setattr(runner_mod, "client_options", opts)


@pytest.mark.parametrize("concurrency", [1, 4, 64])
def test_server_closing_after_each_response_loses_no_request(sim, cfg, concurrency):
    h = sim(LatencyModel(ttft_ms=2, tpot_ms=0.2, close_after_response=True))
    n = 160
    res = run_loadtest(cfg(h.base_url, num_prompts=n, osl=8, max_concurrency=concurrency))
    _, recs, end = read_trace(res.trace_path)
    assert res.status == end["status"] == "completed"
    assert res.summary["completed"] == n and res.summary["failed"] == 0
    resent = sum(r["connection_retries"] for r in recs)
    # every request that met a dropped connection was resent once and then succeeded: dropped on a spent
    # connection before a handler saw it, or (rarely) caught by the connection closing while answering; so
    # the server answered exactly n requests
    dropped = h.stats["dropped_on_reuse"] + h.stats["dropped_on_close"]
    assert resent > 0 and resent == res.summary["connection_retries"] == dropped
    assert h.stats["status"]["200"] == n
    assert all(r["success"] and r["connection_retries"] in (0, 1) for r in recs)


def test_without_the_connection_retry_the_same_server_loses_requests(sim, cfg, monkeypatch):
    # Negative control: what the issue saw ("Server disconnected"), so the test above can fail.
    _without_connection_retry(monkeypatch)
    h = sim(LatencyModel(ttft_ms=2, tpot_ms=0.2, close_after_response=True))
    res = run_loadtest(cfg(h.base_url, num_prompts=40, osl=8, max_concurrency=4))
    assert res.summary["failed"] > 0 and set(res.summary["error_classes"]) == {"disconnected"}
    assert res.summary["connection_retries"] == 0


def test_connection_retry_keeps_the_timing_of_the_attempt_that_ran(sim, cfg):
    h = sim(LatencyModel(ttft_ms=20, tpot_ms=1, close_after_response=True))
    res = run_loadtest(cfg(h.base_url, num_prompts=8, osl=4, max_concurrency=1))
    _, recs, _ = read_trace(res.trace_path)
    resent = [r for r in recs if r["connection_retries"]]
    assert resent and all(r["retries"] == 0 for r in resent)
    ordered = sorted(recs, key=lambda r: r["seq"])
    for prev, r in zip(ordered, ordered[1:]):
        # Sequential requests: each one's send (of the attempt that ran) comes after the previous one
        # finished, and its TTFT is the server's ~20 ms, not stretched by the dropped attempt.
        assert r["send_offset_ns"] >= prev["send_offset_ns"] + prev["chunk_ns"][-1]
    assert all(r["ttft_ms"] >= 20 for r in recs)


def test_failure_after_response_bytes_is_not_resent(sim, cfg):
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=2, disconnect_rate=1.0, close_after_response=True))
    res = run_loadtest(cfg(h.base_url, num_prompts=6, osl=20, max_concurrency=1))
    _, recs, _ = read_trace(res.trace_path)
    assert all(r["error_class"] == "disconnected" and r["num_chunks"] > 0 for r in recs)
    assert all(r["connection_retries"] == 0 for r in recs)
    assert res.status == "failed"


def test_idle_keepalive_close_loses_no_request(sim, cfg):
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.2, idle_close_s=0.05))
    # 20 req/s: gaps (~50 ms on average) of the order of the server's idle limit
    res = run_loadtest(cfg(h.base_url, num_prompts=40, osl=4, request_rate=20.0, max_concurrency=2))
    assert res.status == "completed"
    assert res.summary["completed"] == 40 and res.summary["failed"] == 0


def test_wait_for_server_rides_out_503_while_loading(sim, tmp_path):
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.2, loading_s=1.0))
    base = ["--base-url", h.base_url, "--model", "sim-model", "--num-prompts", "10", "--osl", "4",
            "--api-key-env", "", "--no-progress"]
    refused = cli.invoke(app, [*base, "--out-dir", str(tmp_path / "nowait")])
    assert refused.exit_code == 1 and "HTTP 503" in refused.output
    assert not (tmp_path / "nowait").exists()          # a failed preflight writes nothing

    waited = cli.invoke(app, [*base, "--wait-for-server", "60", "--out-dir", str(tmp_path / "wait")])
    assert waited.exit_code == 0, waited.output
    summary = json.loads((tmp_path / "wait" / "summary.json").read_text())
    assert summary["completed"] == 10 and summary["failed"] == 0
    assert h.stats["loading_503"] >= 2                  # it polled through the loading phase
    assert h.stats["status"]["200"] == 10               # and sent no request before the model was up


def test_nothing_listening_fails_fast_with_one_line(tmp_path):
    out = tmp_path / "run"
    started = time.monotonic()
    p = loadgen_cli("--base-url", f"http://127.0.0.1:{_free_port()}", "--model", "m", "--num-prompts", "5",
                    "--api-key-env", "", "--no-progress", "--out-dir", str(out))
    stdout, stderr = p.communicate(timeout=60)
    elapsed = time.monotonic() - started
    assert p.returncode == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "preflight" in lines[0] and "cannot connect" in lines[0]
    assert "Traceback" not in stderr and not out.exists()
    assert elapsed < 10                                 # loose: process start-up included


def test_nothing_listening_with_a_wait_gives_up_when_time_is_up(tmp_path):
    res = cli.invoke(app, ["--base-url", f"http://127.0.0.1:{_free_port()}", "--model", "m",
                           "--wait-for-server", "0.5", "--api-key-env", "", "--out-dir", str(tmp_path / "r")])
    assert res.exit_code == 1 and "still not ready after --wait-for-server 0.5 s" in res.output


def test_wrong_model_fails_with_one_line_naming_it(sim, tmp_path):
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.2, strict_model=True), served_model="real-model")
    res = cli.invoke(app, ["--base-url", h.base_url, "--model", "no-such-model", "--api-key-env", "",
                           "--out-dir", str(tmp_path / "r")])
    assert res.exit_code == 1
    (line,) = res.output.strip().splitlines()
    assert "no-such-model" in line and "HTTP 404" in line and "real-model" in line
    assert h.stats["status"] == {"404": 1}            # one 1-token request, no run


@pytest.mark.parametrize("key", [None, "sk-wrong"])
def test_missing_or_wrong_key_fails_with_one_line_and_never_prints_it(sim, tmp_path, monkeypatch, key):
    monkeypatch.setenv("RS_SERVER_KEY", KEY)
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.2), api_key_env="RS_SERVER_KEY")
    env = {"RS_CLIENT_KEY": key} if key else {}
    p = loadgen_cli("--base-url", h.base_url, "--model", "sim-model", "--api-key-env", "RS_CLIENT_KEY",
                    "--no-progress", "--out-dir", str(tmp_path / "r"), env=env)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 1
    (line,) = stderr.strip().splitlines()
    assert "HTTP 401" in line and "RS_CLIENT_KEY" in line
    assert ("is not set" in line) == (key is None)
    for secret in (KEY, "sk-wrong"):
        assert secret not in stdout + stderr
    assert h.stats["status"].get("200") is None


def test_all_failed_run_exits_non_zero_with_status_failed_and_no_zero_latency(sim, tmp_path):
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.2, error_rate=1.0))
    out = tmp_path / "run"
    res = cli.invoke(app, ["--base-url", h.base_url, "--model", "sim-model", "--num-prompts", "6",
                           "--api-key-env", "", "--no-progress", "--out-dir", str(out)])
    assert res.exit_code == 1
    assert "FAILED" in res.output and "all 6 requests failed" in res.output
    assert "0.00" not in "\n".join(line for line in res.output.splitlines() if "(ms)" in line)
    assert "n/a" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed" and summary["failure_reason"] == "all 6 requests failed"
    assert summary["mean_ttft_ms"] is None and summary["p99_e2el_ms"] is None
    _, _, end = read_trace(out / "trace.jsonl")
    assert end["status"] == "failed"


@pytest.mark.parametrize("max_error_rate, status", [(0.6, "completed"), (0.4, "failed")])
def test_max_error_rate_threshold_on_both_sides(sim, cfg, max_error_rate, status):
    # seed 1: exactly half of 20 requests meet the simulated 500 (checked below), so 0.5 sits between
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.2, error_rate=0.5, seed=1))
    res = run_loadtest(cfg(h.base_url, num_prompts=20, osl=4, max_concurrency=1, max_error_rate=max_error_rate))
    assert res.summary["failed"] == h.stats["status"]["500"]
    frac = res.summary["failed"] / 20
    assert 0.4 < frac < 0.6
    assert res.status == status == res.summary["status"]
    assert (res.summary["failure_reason"] is None) == (status == "completed")


def test_a_run_against_serve_sim_is_flagged_simulated(sim_proc, sim, cfg, tmp_path):
    # serve-sim in another process: found by the preflight (its model list says owned_by serve-sim)
    _, url = sim_proc("--ttft-ms", "1", "--tpot-ms", "0.2")
    res = run_loadtest(cfg(url, num_prompts=3, osl=4, dirname="other-process"))
    header, _, _ = read_trace(res.trace_path)
    assert header["simulated"] is True and res.summary["simulated"] is True
    # in this process, even without the preflight
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=0.2))
    res = run_loadtest(cfg(h.base_url, num_prompts=3, osl=4, preflight=False, dirname="in-process"))
    assert read_trace(res.trace_path)[0]["simulated"] is True


def test_a_server_that_is_not_serve_sim_is_not_flagged(tmp_path, cfg):
    # a minimal OpenAI-style server (not serve-sim): streams one token, lists its model without serve-sim's mark
    import asyncio
    import threading

    from aiohttp import web

    async def models(request):
        return web.json_response({"data": [{"id": "real", "object": "model", "owned_by": "vllm"}]})

    async def chat(request):
        if (await request.json()).get("model") != "real":
            return web.json_response({"error": {"message": "no such model"}}, status=404)
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b'data: {"choices":[{"index":0,"delta":{"content":" hey"},"finish_reason":"length"}]}\n\n'
                         b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    loop = asyncio.new_event_loop()
    app_ = web.Application()
    app_.router.add_get("/v1/models", models)
    app_.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app_, access_log=None)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]
    t = threading.Thread(target=loop.run_forever, daemon=True)
    t.start()
    try:
        res = run_loadtest(cfg(f"http://127.0.0.1:{port}", model="real", num_prompts=2, osl=1))
        with pytest.raises(PreflightError, match="'other'"):
            run_loadtest(cfg(f"http://127.0.0.1:{port}", model="other", num_prompts=2, dirname="x"))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        t.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()
    assert res.status == "completed" and read_trace(res.trace_path)[0]["simulated"] is False
