"""One shard's HTTP client: streams a completion and turns it into a trace record.

One aiohttp ClientSession per shard, its connector sized for the shard's concurrency
(keep-alive connections are reused; no per-request session). The SSE body is parsed
incrementally from `resp.content` as bytes arrive, and every read is stamped with
`time.monotonic_ns()`, so chunk times reflect arrival, not when we got round to them.
A request that fails on a reused (pooled) keep-alive connection before any response
arrived is sent once more on a fresh connection: the server closed that connection
while it sat in the pool (servers that close after each response, or idle ones, do),
so the request never reached it. That retry is counted in `connection_retries`, is not
a failure, and the timing is of the attempt that ran.
Metric definitions follow vLLM `bench serve`: a *token chunk* is any streamed event with
a non-empty `choices`; TTFT = first token chunk - send; E2EL = last token chunk - send;
ITL = gaps between token chunks; TPOT = (E2EL - TTFT) / (output_tokens - 1).
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import aiohttp

from loadgen import errors as E
from loadgen.datasets import Prompt
from loadgen.ratelimit import ShardLimiter
from loadgen.records import itls_ms
from loadgen.shards import ShardConfig, redact_url
from loadgen.sse import SSEParser
from loadgen.tokens import estimate_tokens

BACKENDS = {"openai-chat": "/v1/chat/completions", "openai-completions": "/v1/completions"}

_RETRYABLE = frozenset({E.HTTP_429, E.HTTP_5XX, E.CONNECT_ERROR})
_YIELD_EVERY = 16


def _connection_tracing() -> aiohttp.TraceConfig:
    """Marks an attempt whose request went out on a pooled connection (the only case
    the connection retry is for: a fresh connection that fails is a real failure)."""
    async def reused(session, ctx, params) -> None:
        if ctx.trace_request_ctx is not None:
            ctx.trace_request_ctx["reused"] = True

    tc = aiohttp.TraceConfig()
    tc.on_connection_reuseconn.append(reused)
    return tc


class ClientOptions:
    """Request-shaping settings shared by every shard of a run."""

    def __init__(self, backend: str = "openai-chat", endpoint: str | None = None,
                 stream_usage: bool = True, ignore_eos: bool = False,
                 temperature: float | None = None, extra_body: dict | None = None,
                 request_timeout_s: float = 600.0, read_timeout_s: float = 300.0,
                 connect_timeout_s: float = 30.0, max_retries: int = 0,
                 save_text: bool = True, connection_retry: bool = True):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {sorted(BACKENDS)}")
        self.backend = backend
        self.endpoint = endpoint or BACKENDS[backend]
        self.stream_usage = stream_usage
        self.ignore_eos = ignore_eos
        self.temperature = temperature
        self.extra_body = dict(extra_body or {})
        self.request_timeout_s = request_timeout_s
        self.read_timeout_s = read_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.max_retries = max_retries
        self.save_text = save_text
        self.connection_retry = connection_retry  # off only to show what it saves (tests, bench)


def _retry_after(resp: aiohttp.ClientResponse) -> float | None:
    v = resp.headers.get("Retry-After")
    try:
        return max(0.0, float(v)) if v else None
    except ValueError:
        return None  # an HTTP-date; we do not wait on those


class ShardClient:
    def __init__(self, shard: ShardConfig, opts: ClientOptions, limiter: ShardLimiter,
                 run_id: str, worker: int = 0):
        self.shard = shard
        self.opts = opts
        self.limiter = limiter
        self.run_id = run_id
        self.worker = worker
        self.url = shard.base_url + opts.endpoint
        self.endpoint_label = redact_url(shard.base_url)
        self.include_usage = opts.stream_usage
        key = os.environ.get(shard.api_key_env) if shard.api_key_env else None
        # The key lives only in this session's default headers and in the scrub list.
        self._secrets: tuple[str, ...] = (key,) if key else ()
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        limit = shard.max_concurrency or 0
        connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit, ttl_dns_cache=300,
                                         keepalive_timeout=60)
        timeout = aiohttp.ClientTimeout(total=opts.request_timeout_s,
                                        sock_connect=opts.connect_timeout_s,
                                        sock_read=opts.read_timeout_s)
        self.session = aiohttp.ClientSession(connector=connector, timeout=timeout,
                                             headers=headers, raise_for_status=False,
                                             trace_configs=[_connection_tracing()])
        self._session_args = (limit, timeout, headers)
        self._fresh: aiohttp.ClientSession | None = None
        # Set at the first connection retry: this server closes connections after a response, so
        # every later request goes out on its own connection. Reusing the pool would keep meeting
        # dead connections, and each one holds a pool slot until the server drops it, which later
        # requests wait for inside their measured TTFT.
        self.server_closes_connections = False

    def _fresh_session(self) -> aiohttp.ClientSession:
        """For connection retries: a new connection every time, never a pooled one (the
        pool may hold more connections the server has already closed)."""
        if self._fresh is None:
            limit, timeout, headers = self._session_args
            self._fresh = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit, force_close=True),
                timeout=timeout, headers=headers, raise_for_status=False)
        return self._fresh

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets

    async def close(self) -> None:
        await self.session.close()
        if self._fresh is not None:
            await self._fresh.close()

    def _body(self, prompt: Prompt) -> bytes:
        o = self.opts
        if o.backend == "openai-chat":
            payload: dict = {"model": self.shard.model, "messages": prompt.messages}
        else:
            payload = {"model": self.shard.model, "prompt": prompt.as_text()}
        if prompt.target_output_tokens:
            payload["max_tokens"] = prompt.target_output_tokens
        payload["stream"] = True
        if self.include_usage:
            payload["stream_options"] = {"include_usage": True}
        if o.ignore_eos:
            payload["ignore_eos"] = True
        if o.temperature is not None:
            payload["temperature"] = o.temperature
        if o.extra_body:
            payload.update(o.extra_body)
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    async def send(self, prompt: Prompt, *, request_id: str, seq: int, warmup: bool,
                   t0_ns: int, scheduled_ns: int | None, inflight: int,
                   shard_inflight: int) -> dict:
        """Run one request (with retries) and return its trace record. Never raises: a
        failure, or cancellation by Ctrl-C, becomes an error record."""
        body = self._body(prompt)
        retries = conn_retries = 0
        fresh = False
        # The caps in force when the request was admitted, for the record.
        conc_limit, qps_limit = self.limiter.concurrency_limit, self.limiter.qps_limit
        while True:
            attempt = _Attempt()
            try:
                await self._attempt(attempt, body, request_id, fresh)
            except asyncio.CancelledError:
                # Returning (not re-raising) lets the interrupted run still write this
                # request as `cancelled`; the runner is the one cancelling us.
                break
            fresh = False
            if (self.opts.connection_retry and attempt.reused and attempt.error_class == E.DISCONNECTED
                    and attempt.http_status is None and not conn_retries):
                # The pooled connection was dead before the server saw the request: not a
                # server failure, so neither a retry nor a signal for adaptive back-off.
                conn_retries += 1
                fresh = True
                self.server_closes_connections = True
                continue
            backoff = attempt.error_class in E.BACKOFF_CLASSES
            self.limiter.on_result(attempt.error_class, attempt.retry_after, backoff)
            if attempt.usage_unsupported and self.include_usage:
                # The server rejected stream_options: stop sending it on this shard and
                # resend at once (protocol negotiation, not a retry).
                self.include_usage = False
                body = self._body(prompt)
                continue
            if (attempt.error_class in _RETRYABLE and not attempt.chunks
                    and retries < self.opts.max_retries):
                retries += 1
                try:
                    await asyncio.sleep(attempt.retry_after if attempt.retry_after is not None
                                        else min(10.0, 0.25 * 2 ** retries))
                except asyncio.CancelledError:
                    attempt.error_class = E.CANCELLED
                    attempt.error_message = "run interrupted while waiting to retry"
                    break
                continue
            break
        return self._record(attempt, prompt, request_id=request_id, seq=seq, warmup=warmup,
                            t0_ns=t0_ns, scheduled_ns=scheduled_ns, retries=retries,
                            conn_retries=conn_retries, inflight=inflight, shard_inflight=shard_inflight,
                            conc_limit=conc_limit, qps_limit=qps_limit)

    async def _attempt(self, a: "_Attempt", body: bytes, request_id: str,
                       fresh: bool = False) -> None:
        chat = self.opts.backend == "openai-chat"
        chunks = a.chunks
        session = self._fresh_session() if fresh or self.server_closes_connections else self.session
        ctx: dict = {}
        a.send_unix_ns = time.time_ns()
        a.send_ns = st = time.monotonic_ns()
        try:
            async with session.post(self.url, data=body, headers={"X-Request-Id": request_id},
                                    trace_request_ctx=ctx) as resp:
                a.http_status = resp.status
                if resp.status != 200:
                    a.error_class = E.http_class(resp.status)
                    a.retry_after = _retry_after(resp)
                    try:
                        detail = (await resp.content.read(2048)).decode("utf-8", "replace")
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        detail = ""
                    if resp.status in (400, 422) and "stream_options" in detail:
                        a.usage_unsupported = True
                    a.error_message = E.one_line(f"HTTP {resp.status} {resp.reason or ''}: {detail}",
                                                 self._secrets)
                    return
                parser = SSEParser()
                loads = json.loads
                async for data in resp.content.iter_any():
                    t = time.monotonic_ns() - st
                    events = parser.feed(data)
                    for k, payload in enumerate(events, 1):
                        if self._event(a, payload, t, chat, loads):
                            return
                        if k % _YIELD_EVERY == 0:
                            # A read holding a burst of events (a fast server, or a backlog)
                            # is parsed in slices so other streams and the arrival clock
                            # are not held up; these events are already stamped.
                            await asyncio.sleep(0)
                for payload in parser.close():
                    if self._event(a, payload, time.monotonic_ns() - st, chat, loads):
                        return
        except asyncio.CancelledError:
            a.error_class = E.CANCELLED
            a.error_message = "run interrupted while the request was in flight"
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes an error record
            a.reused = bool(ctx.get("reused"))
            a.error_class = E.classify_exception(exc)
            a.error_message = E.describe_exception(exc, self._secrets)
            return
        if not chunks and a.error_class is None:
            a.error_class = E.NO_TOKENS
            a.error_message = "stream ended without a single token chunk"

    def _event(self, a: "_Attempt", payload: bytes, t: int, chat: bool, loads) -> bool:
        """Handle one SSE data payload; True = stop reading (error)."""
        if payload == b"[DONE]":
            return False
        try:
            obj = loads(payload)
        except ValueError:
            a.error_class = E.MALFORMED_SSE
            a.error_message = E.one_line(
                f"event {len(a.chunks) + 1} is not JSON: {payload[:120].decode('utf-8', 'replace')}",
                self._secrets)
            return True
        if not isinstance(obj, dict):
            a.error_class = E.MALFORMED_SSE
            a.error_message = f"event {len(a.chunks) + 1} is a JSON {type(obj).__name__}, not an object"
            return True
        choices = obj.get("choices")
        if choices:
            a.chunks.append(t)
            c0 = choices[0]
            if chat:
                delta = c0.get("delta") or {}
                text = delta.get("content") or delta.get("reasoning_content") or delta.get("reasoning")
            else:
                text = c0.get("text")
            if text:
                a.texts.append(text)
            fr = c0.get("finish_reason")
            if fr:
                a.finish_reason = fr
        usage = obj.get("usage")
        if usage:
            a.usage = usage
        elif not choices and obj.get("error"):
            err = obj["error"]
            msg = err.get("message") if isinstance(err, dict) else err
            a.error_class = E.STREAM_ERROR
            a.error_message = E.one_line(f"server error event: {msg}", self._secrets)
            return True
        return False

    def _record(self, a: "_Attempt", prompt: Prompt, *, request_id: str, seq: int,
                warmup: bool, t0_ns: int, scheduled_ns: int | None, retries: int,
                conn_retries: int, inflight: int, shard_inflight: int, conc_limit: int | None,
                qps_limit: float | None) -> dict:
        chunks = a.chunks
        success = a.error_class is None
        text = "".join(a.texts)
        usage = a.usage or {}
        in_tok = usage.get("prompt_tokens")
        out_tok = usage.get("completion_tokens")
        in_est = not isinstance(in_tok, int)
        out_est = not isinstance(out_tok, int)
        if in_est:
            in_tok = prompt.target_input_tokens
        if out_est:
            out_tok = (estimate_tokens(text) or len(chunks)) if (chunks or text) else 0
        ttft = chunks[0] / 1e6 if chunks else None
        e2el = chunks[-1] / 1e6 if (chunks and success) else None
        tpot = None
        if success and out_tok and out_tok > 1:
            tpot = (e2el - ttft) / (out_tok - 1)
        send_off = a.send_ns - t0_ns
        shard = self.shard
        return {
            "type": "request",
            "run_id": self.run_id,
            "request_id": request_id,
            "seq": seq,
            "warmup": warmup,
            "worker": self.worker,
            "shard": shard.name,
            "endpoint": self.endpoint_label,
            "deployment": shard.model,
            "model": shard.base_model,
            "backend": self.opts.backend,
            "scheduled_offset_ns": scheduled_ns,
            "send_offset_ns": send_off,
            "send_unix_ns": a.send_unix_ns,
            "queue_ns": None if scheduled_ns is None else max(0, send_off - scheduled_ns),
            "chunk_ns": chunks,
            "num_chunks": len(chunks),
            "ttft_ms": ttft,
            "e2el_ms": e2el,
            "tpot_ms": tpot,
            "itl_ms": itls_ms(chunks),
            "input_tokens": in_tok,
            "output_tokens": out_tok,
            "input_tokens_estimated": in_est,
            "output_tokens_estimated": out_est,
            "target_input_tokens": prompt.target_input_tokens,
            "target_output_tokens": prompt.target_output_tokens,
            "success": success,
            "http_status": a.http_status,
            "error_class": a.error_class,
            "error_message": a.error_message,
            "retries": retries,
            "connection_retries": conn_retries,
            "finish_reason": a.finish_reason,
            "inflight_at_send": inflight,
            "shard_inflight_at_send": shard_inflight,
            "concurrency_limit": conc_limit,
            "qps_limit": qps_limit,
            "generated_text": text if self.opts.save_text else None,
            "session_id": prompt.session_id,
            "turn": prompt.turn,
            "prefix_id": prompt.prefix_id,
            "cached_tokens": _cached_tokens(usage),
        }


def _cached_tokens(usage: dict) -> int | None:
    details = usage.get("prompt_tokens_details")
    v = details.get("cached_tokens") if isinstance(details, dict) else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


class _Attempt:
    __slots__ = ("chunks", "texts", "usage", "finish_reason", "http_status", "error_class",
                 "error_message", "retry_after", "usage_unsupported", "send_ns", "send_unix_ns",
                 "reused")

    def __init__(self) -> None:
        self.chunks: list[int] = []
        self.texts: list[str] = []
        self.usage: dict | None = None
        self.finish_reason: str | None = None
        self.http_status: int | None = None
        self.error_class: str | None = None
        self.error_message: str | None = None
        self.retry_after: float | None = None
        self.usage_unsupported = False
        self.reused = False  # went out on a pooled connection (set only when it failed)
        self.send_ns = 0
        self.send_unix_ns = 0
