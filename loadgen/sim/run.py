"""Running serve-sim: in a background thread (tests, `semibench run`'s demo) or as the
foreground process (`semibench serve-sim`, benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from aiohttp import web

from loadgen.sim.latency import LatencyModel
from loadgen.sim.server import SimServer


# Base URLs of the serve-sims running in this process: a run against one of them is
# simulated whatever it says about itself (loadgen.runinfo marks it so).
_IN_PROCESS: set[str] = set()


def is_in_process_sim(base_url: str | None) -> bool:
    return bool(base_url) and base_url.rstrip("/") in _IN_PROCESS


async def _start(server: SimServer, host: str, port: int) -> tuple[web.AppRunner, int]:
    # access_log=None: per-request logging would cost more than the simulation itself.
    # A simulator need not drain long streams on shutdown: give them 0.5 s.
    kw = {"keepalive_timeout": server.lm.idle_close_s} if server.lm.idle_close_s else {}
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False,
                           shutdown_timeout=0.5, **kw)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024, reuse_address=True)
    await site.start()
    sock = site._server.sockets[0]  # the real port when port=0
    return runner, sock.getsockname()[1]


class SimHandle:
    """A serve-sim running on its own event loop in a daemon thread."""

    def __init__(self, latency: LatencyModel | None = None, host: str = "127.0.0.1",
                 port: int = 0, served_model: str = "sim-model", api_key_env: str | None = None,
                 record_emissions: bool = False):
        self._args = (latency or LatencyModel(), served_model, api_key_env, record_emissions)
        self.host, self.port = host, port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="serve-sim", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        self.base_url = f"http://{host}:{self.port}"
        _IN_PROCESS.add(self.base_url)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            lm, name, key_env, rec = self._args
            self.server = SimServer(lm, name, key_env, rec)  # its Semaphore binds to this loop
            self._runner, self.port = self._loop.run_until_complete(
                _start(self.server, self.host, self.port))
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        # Handlers still sleeping towards a far deadline: cancel them so the loop closes clean.
        pending = asyncio.all_tasks(self._loop)
        for t in pending:
            t.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    @property
    def stats(self) -> dict:
        return asyncio.run_coroutine_threadsafe(self._snapshot(), self._loop).result(10)

    async def _snapshot(self) -> dict:
        import copy
        return copy.deepcopy(self.server.stats)

    def close(self) -> None:
        _IN_PROCESS.discard(getattr(self, "base_url", ""))
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)


@contextlib.contextmanager
def serve_sim_in_thread(latency_model: LatencyModel | None = None, *, host: str = "127.0.0.1",
                        port: int = 0, served_model: str = "sim-model",
                        api_key_env: str | None = None) -> Iterator[str]:
    """`with serve_sim_in_thread(LatencyModel(...)) as base_url:` — a serve-sim on a free
    127.0.0.1 port for the duration of the block."""
    h = SimHandle(latency_model, host, port, served_model, api_key_env)
    try:
        yield h.base_url
    finally:
        h.close()


def serve_forever(latency: LatencyModel, host: str = "127.0.0.1", port: int = 0,
                  served_model: str = "sim-model", api_key_env: str | None = None,
                  record_emissions: bool = False, announce=print) -> None:
    """Run in the foreground until SIGINT / SIGTERM. Announces the bound URL on stdout
    (with --port 0 that is how callers learn the port)."""

    async def main() -> None:
        server = SimServer(latency, served_model, api_key_env, record_emissions)
        runner, bound = await _start(server, host, port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        announce(f"serve-sim listening on http://{host}:{bound}")
        sys.stdout.flush()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
