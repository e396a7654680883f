"""Preflight: one cheap request per endpoint before a run, so a run that cannot work
fails at once with one line instead of writing a trace full of identical errors.

Per distinct (base URL, model, key variable): GET /v1/models. A list that names the
model means ready; 401/403 a refused key. When the list lacks the model (gateways
route aliases they do not list) or there is no usable list, a 1-token completion
decides: 404/400/422 there mean a wrong model or endpoint, and the message names what
the server lists. Connection refused, a timeout and 503 (a server still loading
its model) mean "not ready": with --wait-for-server the check polls until the server is
ready or the time is up, without it the run fails at once.

A model list entry `owned_by: "serve-sim"` marks the target as the simulator: the run
is then recorded as simulated.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass

import aiohttp

from loadgen.errors import describe_exception, one_line
from loadgen.shards import ShardConfig, redact_url

_POLL_S = 0.25


class PreflightError(Exception):
    """The server, model or key will not work; the message is one line, no secrets."""


@dataclass
class _Outcome:
    kind: str               # ready | not_ready | fatal | unknown (ask a completion instead)
    message: str = ""
    simulated: bool = False
    listed: str = ""        # what the model list offered, when it lacked our model


@dataclass
class PreflightResult:
    simulated: bool          # every endpoint checked is a serve-sim
    waited_s: float


def _key(shard: ShardConfig) -> str | None:
    return os.environ.get(shard.api_key_env) if shard.api_key_env else None


def _auth_failed(url: str, status: int, shard: ShardConfig) -> str:
    if not shard.api_key_env:
        why = "no API key was sent (--api-key-env is empty)"
    elif not _key(shard):
        why = f"no API key was sent: ${shard.api_key_env} is not set"
    else:
        why = f"the server refused the key in ${shard.api_key_env}"
    return f"{url}: HTTP {status}: {why}"


async def _detail(resp: aiohttp.ClientResponse, secrets: tuple[str, ...]) -> str:
    try:
        text = (await resp.content.read(300)).decode("utf-8", "replace")
    except (aiohttp.ClientError, asyncio.TimeoutError):
        text = ""
    return one_line(text, secrets)


async def _models(session: aiohttp.ClientSession, shard: ShardConfig,
                  secrets: tuple[str, ...]) -> _Outcome:
    url = shard.base_url + "/v1/models"
    label = redact_url(url)
    async with session.get(url) as resp:
        if resp.status in (401, 403):
            return _Outcome("fatal", _auth_failed(label, resp.status, shard))
        if resp.status == 503:
            return _Outcome("not_ready", f"{label}: HTTP 503, the server is not ready yet "
                                         f"({await _detail(resp, secrets)})")
        if resp.status != 200:
            return _Outcome("unknown")
        try:
            doc = json.loads(await resp.read())
            entries = [e for e in doc["data"] if isinstance(e, dict) and isinstance(e.get("id"), str)]
        except (ValueError, KeyError, TypeError):
            return _Outcome("unknown")
    if not entries:
        return _Outcome("unknown")
    mine = [e for e in entries if shard.model in (e["id"], e.get("root"))]
    if not mine:
        names = ", ".join(e["id"] for e in entries[:8]) + (", ..." if len(entries) > 8 else "")
        return _Outcome("unknown", listed=names,
                        simulated=all(e.get("owned_by") == "serve-sim" for e in entries))
    return _Outcome("ready", simulated=all(e.get("owned_by") == "serve-sim" for e in mine))


async def _completion(session: aiohttp.ClientSession, shard: ShardConfig, endpoint: str,
                      chat: bool, secrets: tuple[str, ...]) -> _Outcome:
    url = shard.base_url + endpoint
    label = redact_url(url)
    body: dict = {"model": shard.model, "max_tokens": 1, "stream": False}
    if chat:
        body["messages"] = [{"role": "user", "content": "hi"}]
    else:
        body["prompt"] = "hi"
    async with session.post(url, json=body) as resp:
        status = resp.status
        if status in (401, 403):
            return _Outcome("fatal", _auth_failed(label, status, shard))
        if status == 503:
            return _Outcome("not_ready", f"{label}: HTTP 503, the server is not ready yet "
                                         f"({await _detail(resp, secrets)})")
        if status in (400, 404, 405, 422):
            return _Outcome("fatal", f"{label}: HTTP {status} to a 1-token request for model "
                                     f"{shard.model!r}: {await _detail(resp, secrets)}")
        await resp.read()
    # 200, 429 (there, and rate limiting us) or a 5xx: the run itself will tell.
    return _Outcome("ready")


async def _probe(shard: ShardConfig, endpoint: str, chat: bool, timeout_s: float,
                 connect_timeout_s: float) -> _Outcome:
    key = _key(shard)
    secrets = (key,) if key else ()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=connect_timeout_s)
    try:
        async with aiohttp.ClientSession(headers=headers, timeout=timeout,
                                         connector=aiohttp.TCPConnector(force_close=True)) as session:
            listing = await _models(session, shard, secrets)
            if listing.kind != "unknown":
                return listing
            out = await _completion(session, shard, endpoint, chat, secrets)
            if out.kind == "fatal" and listing.listed:
                out.message = f"{out.message} (the server lists: {listing.listed})"
            out.simulated = out.kind == "ready" and listing.simulated
            return out
    except aiohttp.ClientConnectorError as exc:
        reason = exc.os_error.strerror if exc.os_error and exc.os_error.strerror else str(exc)
        return _Outcome("not_ready", f"cannot connect to {redact_url(shard.base_url)}: {one_line(reason, secrets)}")
    except (asyncio.TimeoutError, TimeoutError):
        return _Outcome("not_ready", f"{redact_url(shard.base_url)}: no answer within {timeout_s:g} s")
    except aiohttp.ClientError as exc:
        return _Outcome("not_ready", f"{redact_url(shard.base_url)}: {describe_exception(exc, secrets)}")


async def preflight(shards: list[ShardConfig], endpoint: str, chat: bool, *,
                    wait_s: float = 0.0, timeout_s: float = 10.0,
                    connect_timeout_s: float = 5.0) -> PreflightResult:
    """Check every distinct endpoint/model/key once (polling up to wait_s while not
    ready). Raises PreflightError with one line naming the endpoint and the cause."""
    started = time.monotonic()
    deadline = started + wait_s
    seen: set[tuple] = set()
    simulated = True
    for shard in shards:
        ident = (shard.base_url, shard.model, shard.api_key_env)
        if ident in seen:
            continue
        seen.add(ident)
        while True:
            left = deadline - time.monotonic()
            out = await _probe(shard, endpoint, chat, max(0.5, min(timeout_s, left)) if wait_s else timeout_s,
                               connect_timeout_s)
            if out.kind == "ready":
                simulated = simulated and out.simulated
                break
            if out.kind == "fatal":
                raise PreflightError(out.message)
            if time.monotonic() >= deadline:
                hint = (f"; still not ready after --wait-for-server {wait_s:g} s" if wait_s else
                        "; is the server running? (--wait-for-server SECONDS waits for it)")
                raise PreflightError(out.message + hint)
            await asyncio.sleep(min(_POLL_S, max(0.0, deadline - time.monotonic())))
    return PreflightResult(simulated=bool(seen) and simulated, waited_s=time.monotonic() - started)


async def check_server(config) -> "LoadTestConfig":  # noqa: F821 - avoids an import cycle
    """preflight() for a LoadTestConfig (after its arguments and dataset were checked, so
    usage errors come first); returns the config, marked simulated when the server turned
    out to be serve-sim. Raises PreflightError."""
    if not (config.preflight or config.wait_for_server_s):
        return config
    from loadgen.client import BACKENDS

    shards, _, _ = config.resolve()
    res = await preflight(shards, config.endpoint or BACKENDS[config.backend],
                          config.backend == "openai-chat", wait_s=config.wait_for_server_s,
                          timeout_s=min(config.request_timeout_s, 30.0),
                          connect_timeout_s=min(config.connect_timeout_s, 10.0))
    return config.copy(simulated=True) if res.simulated and not config.simulated else config
