"""Failure behaviour: the server dying mid-stream, Ctrl-C, a killed client, and secrets
never reaching any output file."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.request


from loadgen import run_loadtest
from loadgen.sim.latency import LatencyModel
from loadgen.trace import read_trace

from .conftest import loadgen_cli, wait_for_lines


def _stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/sim/stats", timeout=5) as r:
        return json.load(r)


def test_server_dying_mid_stream_gives_error_records_not_a_crash(sim_proc, cfg):
    proc, url = sim_proc("--ttft-ms", "10", "--tpot-ms", "20")

    def kill_when_streaming() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if _stats(url)["inflight"] >= 4:
                time.sleep(0.2)                  # ~10 tokens into every stream
                proc.send_signal(signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_when_streaming)
    killer.start()
    res = run_loadtest(cfg(url, num_prompts=12, osl=50, max_concurrency=4))
    killer.join()
    _, recs, end = read_trace(res.trace_path)
    # nothing succeeded, so the run failed; the trace is still complete
    assert res.status == "failed" and end["status"] == "failed" and len(recs) == 12
    classes = {r["error_class"] for r in recs}
    assert classes <= {"disconnected", "connect_error"} and "disconnected" in classes
    assert all(not r["success"] and r["e2el_ms"] is None for r in recs)
    # The streams cut mid-way keep what arrived (a request that connected while the
    # server was dying is also `disconnected`, with no chunks).
    partial = [r for r in recs if r["num_chunks"]]
    assert partial and all(r["error_class"] == "disconnected" and r["ttft_ms"] is not None
                           for r in partial)
    assert res.summary["completed"] == 0 and res.summary["failed"] == 12


def _all_lines_json(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_ctrl_c_keeps_the_trace_valid(sim, tmp_path):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=5))
    out = tmp_path / "run"
    p = loadgen_cli("--base-url", h.base_url, "--model", "m", "--isl", "64", "--osl", "20",
                    "--request-rate", "40", "--num-prompts", "400", "--max-concurrency", "8",
                    "--api-key-env", "", "--out-dir", str(out))
    try:
        wait_for_lines(out / "trace.jsonl", 5)
        p.send_signal(signal.SIGINT)
        stdout, stderr = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, stderr
    lines = _all_lines_json(out / "trace.jsonl")          # every line is complete JSON
    assert lines[0]["type"] == "run" and lines[-1]["type"] == "end"
    assert lines[-1]["status"] == "interrupted"
    reqs = [x for x in lines if x["type"] == "request"]
    assert len(reqs) >= 5 and lines[-1]["requests_written"] == len(reqs)
    assert len(reqs) < 400
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["interrupted"] is True
    ok = [r for r in reqs if r["success"]]
    assert summary["completed"] == len(ok) >= 5
    assert summary["cancelled"] == sum(r["error_class"] == "cancelled" for r in reqs)
    assert "Serving Benchmark Result" in stdout


def test_killed_client_keeps_finished_requests(sim, tmp_path):
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=5))
    out = tmp_path / "run"
    p = loadgen_cli("--base-url", h.base_url, "--model", "m", "--osl", "10",
                    "--request-rate", "60", "--num-prompts", "400", "--max-concurrency", "8",
                    "--api-key-env", "", "--out-dir", str(out), "--no-progress")
    try:
        seen = wait_for_lines(out / "trace.jsonl", 10)
        p.send_signal(signal.SIGKILL)                      # no chance to clean up
        p.wait(10)
    finally:
        if p.poll() is None:
            p.kill()
    header, recs, end = read_trace(out / "trace.jsonl")
    assert header is not None and header["type"] == "run"
    assert end is None                                     # it never closed the trace ...
    assert len(recs) >= seen                               # ... but lost nothing it had flushed
    assert all(r["run_id"] == header["run_id"] for r in recs)


SECRET = "sk-loadgen-test-" + os.urandom(8).hex()


def test_api_key_is_sent_but_never_written(sim, tmp_path, monkeypatch):
    monkeypatch.setenv("LOADGEN_TEST_KEY", SECRET)
    h = sim(LatencyModel(ttft_ms=2, tpot_ms=1, error_rate=0.3, seed=1),
            api_key_env="LOADGEN_TEST_KEY")
    shards = tmp_path / "shards.yaml"
    shards.write_text(f"shards:\n  - {{name: a, base_url: '{h.base_url}', model: m-1, "
                      f"api_key_env: LOADGEN_TEST_KEY, max_concurrency: 2}}\n"
                      f"  - {{name: b, base_url: '{h.base_url}', model: m-2, "
                      f"api_key_env: LOADGEN_TEST_KEY, max_concurrency: 2}}\n")
    out = tmp_path / "out"
    runs = [("--base-url", h.base_url, "--model", "m", "--api-key-env", "LOADGEN_TEST_KEY",
             "--out-dir", str(out / "single")),
            ("--shards", str(shards), "--out-dir", str(out / "sharded")),
            ("--base-url", h.base_url, "--model", "m", "--api-key-env", "LOADGEN_TEST_KEY",
             "--sweep-concurrency", "1,2", "--out-dir", str(out / "sweep"))]
    outputs = []
    for args in runs:
        p = loadgen_cli(*args, "--num-prompts", "12", "--osl", "4", "--parquet",
                        "--label", "secret-test", env={"LOADGEN_TEST_KEY": SECRET})
        stdout, stderr = p.communicate(timeout=60)
        assert p.returncode == 0, stderr
        outputs += [stdout, stderr]
    st = h.stats
    assert st["auth_failures"] == 0 and st["status"]["200"] > 0 and st["status"].get("500")
    files = [f for f in out.rglob("*") if f.is_file()]
    assert len(files) >= 9       # trace, summary, parquet per run (+ sweep.json)
    for f in files:
        assert SECRET.encode() not in f.read_bytes(), f
    for text in outputs:
        assert SECRET not in text


def test_missing_key_is_refused_by_the_server(sim, cfg, monkeypatch):
    monkeypatch.setenv("LOADGEN_TEST_KEY", SECRET)
    h = sim(LatencyModel(ttft_ms=1, tpot_ms=1), api_key_env="LOADGEN_TEST_KEY")
    res = run_loadtest(cfg(h.base_url, num_prompts=2, api_key_env=None, preflight=False))
    assert {r["http_status"] for r in read_trace(res.trace_path)[1]} == {401}


def test_key_echoed_by_a_server_is_scrubbed(tmp_path, cfg, monkeypatch):
    # A misbehaving server that echoes the Authorization header into its error body.
    import asyncio

    from aiohttp import web

    async def echo(request: web.Request) -> web.Response:
        return web.Response(status=400, text=f"bad request, you sent {request.headers['Authorization']}")

    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", echo)
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]
    t = threading.Thread(target=loop.run_forever, daemon=True)
    t.start()
    try:
        monkeypatch.setenv("LOADGEN_TEST_KEY", SECRET)
        res = run_loadtest(cfg(f"http://127.0.0.1:{port}", num_prompts=2,
                               api_key_env="LOADGEN_TEST_KEY", preflight=False))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        t.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()
    recs = read_trace(res.trace_path)[1]
    assert all("you sent Bearer ***" in r["error_message"] for r in recs)
    for f in res.run_dir.iterdir():
        assert SECRET.encode() not in f.read_bytes()
