"""A real aiohttp server on 127.0.0.1, in a background thread, answering the dashboard's
/data/inference-performance/{name} route. Test fixtures subclass it and define `_handle`."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web


class ThreadedDashboardServer:
    def __init__(self) -> None:
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=type(self).__name__, daemon=True)
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        raise NotImplementedError

    async def _on_start(self) -> None:
        """Create loop-bound state (events, locks) on the server's own loop."""

    async def _start(self) -> int:
        await self._on_start()
        app = web.Application()
        app.router.add_get("/data/inference-performance/{name}", self._handle)
        # Short shutdown: handlers still sleeping (timeout tests, held requests) are cancelled, not awaited.
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    def start(self):
        self._thread.start()
        port = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        # Handlers still sleeping: cancel and await them so the loop closes cleanly.
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
