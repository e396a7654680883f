"""A real aiohttp server on 127.0.0.1, in a background thread, serving the InferenceX /api/v1 routes from
the shared fixture files, with scripted faults per route. Every request is recorded."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from pathlib import Path

from aiohttp import web

ROUTE_FILES = {
    "benchmarks": "benchmarks.json",
    "benchmarks/history": "benchmarks-history.json",
    "availability": "availability.json",
    "evaluations": "evaluations.json",
    "reliability": "reliability.json",
    "workflow-info": "workflow-info.json",
}


class InferenceXApiServer:
    """faults[route] is a list of actions used up one per request, then the file is served:
    ("status", code, body, headers) | ("sleep", seconds) | ("truncate",) | ("html",)."""

    def __init__(self, fixtures: Path, known_models: tuple[str, ...] = ("DeepSeek-R1-0528",)) -> None:
        self.fixtures = Path(fixtures)
        self.known_models = known_models
        self.faults: dict[str, list[tuple]] = defaultdict(list)
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []  # (route, query, headers)
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="inferencex-api", daemon=True)
        self._runner: web.AppRunner | None = None

    def count(self, route: str) -> int:
        return sum(1 for r, _, _ in self.requests if r == route)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = request.match_info["route"]
        self.requests.append((route, dict(request.query), dict(request.headers)))
        if route not in ROUTE_FILES:
            return web.Response(status=404, text="not found")
        model = request.query.get("model")
        if model is not None and model not in self.known_models:
            return web.json_response({"error": f"Unknown model: {model}"}, status=400)
        body = (self.fixtures / ROUTE_FILES[route]).read_bytes()
        if self.faults[route]:
            action = self.faults[route].pop(0)
            if action[0] == "status":
                _, code, text, headers = action
                return web.Response(status=code, text=text, headers=headers)
            if action[0] == "sleep":
                await asyncio.sleep(action[1])
            if action[0] == "truncate":
                return web.Response(body=body[: len(body) // 2], content_type="application/json")
            if action[0] == "html":
                return web.Response(text="<!DOCTYPE html><html><body>Sign in</body></html>", content_type="text/html")
        return web.Response(body=body, content_type="application/json")

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_get("/api/v1/{route:.+}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    def start(self) -> "InferenceXApiServer":
        self._thread.start()
        port = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
