"""Alerts: a real webhook server on 127.0.0.1 and a real command hook, on failure, coverage loss and a big
change between snapshots (computed with SQL from the published warehouse)."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from aiohttp import web

from semibench.ops.alerts import build_alert
from semibench.ops.config import AlertConfig
from semibench.ops.runlog import RunRecord
from tests.ops.conftest import SAMPLE, dead_config, query


class Webhook:
    """Records every JSON POST; answers `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.posts: list[dict] = []
        self.headers: list[dict] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _handle(self, request: web.Request) -> web.Response:
        self.posts.append(await request.json())
        self.headers.append(dict(request.headers))
        return web.Response(status=self.status, text="ok")

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    def __enter__(self) -> "Webhook":
        self._thread.start()
        port = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def test_failure_alert_by_webhook_and_command(fresh, tmp_path):
    out = tmp_path / "alert.json"
    with Webhook() as hook:
        config = dead_config(tmp_path / "c.yml", "alerts:\n"
                             f"  webhook_url: {hook.url}\n"
                             f"  command: 'cat > {out}; echo \"$SEMIBENCH_ALERT_KINDS\" > {out}.kinds'\n")
        proc = fresh.cli("run", "--once", "--live", "--config", str(config))
    assert proc.returncode == 1 and "127.0.0.1:9" in proc.stderr
    (post,) = hook.posts
    assert post["kinds"] == ["failure"] and post["run"]["status"] == "failed"
    assert "127.0.0.1:9" in post["summary"] and post["run"]["trigger"] == "once"
    assert hook.headers[0]["Content-Type"] == "application/json"
    assert json.loads(out.read_text()) == post  # the same payload on the command's stdin
    assert Path(f"{out}.kinds").read_text().strip() == "failure"
    (run,) = fresh.runs()
    notes = [line for line in fresh.log_lines()[-1]["alerts"]]
    assert notes == ["failure: webhook 200", "failure: command exit 0"]
    assert run["status"] == "failed"


def test_an_unreachable_webhook_is_noted_and_changes_nothing_else(fresh, tmp_path):
    config = dead_config(tmp_path / "c.yml", "alerts:\n  webhook_url: http://127.0.0.1:9/hook\n  timeout_s: 2\n")
    proc = fresh.cli("run", "--once", "--live", "--config", str(config))
    assert proc.returncode == 1 and proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
    (note,) = fresh.log_lines()[-1]["alerts"]
    assert note.startswith("failure: webhook failed: ConnectionError")


def test_no_alert_config_sends_nothing_and_on_failure_false_silences_failures(fresh, tmp_path):
    with Webhook() as hook:
        config = dead_config(tmp_path / "c.yml", f"alerts:\n  webhook_url: {hook.url}\n  on_failure: false\n")
        assert fresh.cli("run", "--once", "--live", "--config", str(config)).returncode == 1
    assert hook.posts == []


def changed_snapshot(root: Path) -> Path:
    """The sample with gpt-oss-120b's h100 points gone (coverage loss) and llama's h200 throughput doubled
    (a +100% change of best tput_per_gpu) on both the interactivity and e2e side, so the pair still agrees."""
    out = root / "changed"
    out.mkdir()
    for path in SAMPLE.glob("*.json"):
        points = json.loads(path.read_text())
        if path.name.startswith("gpt-oss-120b"):
            points = [p for p in points if p["hwKey"] != "h100"]
        if path.name.startswith("llama"):
            for p in points:
                if p["hwKey"] == "h200":
                    p["y"] *= 2
        (out / path.name).write_text(json.dumps(points))
    return out


def test_coverage_loss_and_big_change_alert_once_per_new_snapshot(built, tmp_path):
    with Webhook() as hook:
        config = tmp_path / "c.yml"
        config.write_text(f"alerts:\n  webhook_url: {hook.url}\n  big_change_pct: 50\n")
        proc = built.cli("run", "--once", "--from", str(changed_snapshot(tmp_path)), "--config", str(config))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # a warning, not a failure
    (post,) = hook.posts
    assert post["kinds"] == ["coverage_loss", "big_change"]
    assert [(r["model_slug"], r["sequence_slug"], r["hw_key"]) for r in post["coverage_lost"]] == [
        ("gpt-oss-120b", s, "h100") for s in ("1k_1k", "1k_8k", "8k_1k")]
    changed = {(r["model_slug"], r["sequence_slug"], r["hw_key"]): r["change_pct"] for r in post["big_changes"]}
    assert changed == {("llama-3_3-70b-instruct-fp8", s, "h200"): 100.0 for s in ("1k_1k", "1k_8k", "8k_1k")}
    assert "alert         coverage_loss,big_change: webhook 200" in proc.stdout
    (alerts,) = query(built.published, "select alerts from pipeline_runs order by started_at desc limit 1")[0]
    assert alerts == ["coverage_loss,big_change: webhook 200"]

    # The same published state seen by a run that re-fetched unchanged content: no repeat alert.
    refetch = RunRecord(run_id="r", trigger="once", status="success", started_at="2026-01-01T00:00:00+00:00",
                        snapshot_was_new=False, published=True)
    assert build_alert(refetch, AlertConfig(webhook_url=hook.url), built.published) is None
    # A higher threshold than the change: coverage loss only.
    fresh_snapshot = RunRecord(run_id="r", trigger="once", status="success",
                               started_at="2026-01-01T00:00:00+00:00", snapshot_was_new=True, published=True)
    payload = build_alert(fresh_snapshot, AlertConfig(webhook_url=hook.url, big_change_pct=150), built.published)
    assert payload["kinds"] == ["coverage_loss"]
