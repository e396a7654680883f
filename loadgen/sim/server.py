"""serve-sim: an OpenAI-compatible streaming server with a configurable latency model.

Routes: POST /v1/chat/completions, POST /v1/completions (streaming SSE with usage, or
a plain JSON answer when stream=false), GET /v1/models, GET /health, and for tests and
benchmarks GET /sim/stats, GET /sim/emissions (per request id, the monotonic ns at
which each token event was written — needs record_emissions), POST /sim/reset.

Connection misbehaviours of real servers, on request (LatencyModel): closing the
connection after every response without announcing it, closing idle keep-alive
connections (idle_close_s, applied by sim.run), and 503 on every route while "loading".
/v1/models lists the model with `owned_by: "serve-sim"`: that is how a client tells it
is measuring a simulator.

Tokens are three-letter words with a leading space (4 characters = exactly one token
under the offline estimate). Token i is due at admission + TTFT + i*TPOT on absolute
deadlines, so sleep overshoot never accumulates; every event already due is written in
one go (with zero latency a whole response is one write).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
import uuid

from aiohttp import web

from loadgen.datasets import _VOCAB
from loadgen.sim.latency import LatencyModel
from loadgen.sim.prefix_cache import PrefixCache
from loadgen.tokens import estimate_tokens, messages_text

_WORDS = [(" " + w).encode() for w in _VOCAB]
_LINGER_S = 0.2  # close_after_response: how long a used connection stays open (and drops requests)


class SimServer:
    def __init__(self, model: LatencyModel, served_model: str = "sim-model",
                 api_key_env: str | None = None, record_emissions: bool = False):
        model.validate()
        self.lm = model
        self.served_model = served_model
        self.rng = model.rng()
        self._key = os.environ.get(api_key_env) if api_key_env else None
        if api_key_env and not self._key:
            raise ValueError(f"--api-key-env {api_key_env}: variable is not set")
        self.record_emissions = record_emissions
        self.cache = PrefixCache(model.cache_block_tokens, model.cache_blocks) if model.prefix_cache else None
        self.sem = asyncio.Semaphore(model.max_concurrency) if model.max_concurrency else None
        self.started = time.monotonic()
        self._spent: dict[int, asyncio.BaseTransport] = {}  # connections done with (close_after_response)
        self.reset()

    def reset(self) -> None:
        self.stats = {"requests": 0, "inflight": 0, "max_inflight": 0, "queued": 0,
                      "status": {}, "tokens": 0, "streams_completed": 0, "disconnects": 0,
                      "malformed": 0, "auth_failures": 0, "connections_closed": 0,
                      "dropped_on_reuse": 0, "dropped_on_close": 0, "loading_503": 0}
        self.emissions: dict[str, list[int]] = {}

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._misbehave])
        self.started = time.monotonic()  # "loading" counts from when the app is served
        app.router.add_post("/v1/chat/completions", self.chat)
        app.router.add_post("/v1/completions", self.completions)
        app.router.add_get("/v1/models", self.models)
        app.router.add_get("/health", self.health)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/sim/stats", self.get_stats)
        app.router.add_get("/sim/emissions", self.get_emissions)
        app.router.add_post("/sim/reset", self.post_reset)
        return app

    @web.middleware
    async def _misbehave(self, request: web.Request, handler) -> web.StreamResponse:
        lm = self.lm
        sim_route = request.path.startswith("/sim/")
        tr = request.transport
        if lm.close_after_response and not sim_route and tr is not None and id(tr) in self._spent:
            # A request on a connection that already had its response: this server is
            # done with it. Dropped before a byte of answer, as a client that reuses a
            # pooled connection meets a server that closes after each response.
            self.stats["dropped_on_reuse"] += 1
            tr.abort()
            return web.Response(status=499)  # never sent: the transport is gone
        if lm.loading_s and not sim_route and time.monotonic() - self.started < lm.loading_s:
            self.stats["loading_503"] += 1
            resp: web.StreamResponse = self._error(503, "model is loading (simulated)")
        else:
            try:
                resp = await handler(request)
            except ConnectionResetError:
                if not (lm.close_after_response and tr is not None and tr.is_closing()):
                    raise
                # The other side of the same race: the request arrived just as the lingering connection
                # closed, so its answer cannot go out (a real server's keep-alive timeout does this too)
                self.stats["dropped_on_close"] += 1
                raise
        if lm.close_after_response and not sim_route and tr is not None:
            # No `Connection: close` header: the client learns nothing in advance. The
            # connection closes a moment after the response (time for the body to go
            # out); a request arriving on it before that is dropped (above).
            self._spent[id(tr)] = tr
            asyncio.get_running_loop().call_later(_LINGER_S, self._close_spent, tr)
        return resp

    def _close_spent(self, tr) -> None:
        self._spent.pop(id(tr), None)
        if not tr.is_closing():
            self.stats["connections_closed"] += 1
            tr.close()

    def _auth_ok(self, request: web.Request) -> bool:
        ok = self._key is None or request.headers.get("Authorization") == f"Bearer {self._key}"
        if not ok:
            self.stats["auth_failures"] += 1
        return ok

    # -- small routes --------------------------------------------------------------------
    async def models(self, request: web.Request) -> web.Response:
        # Like vLLM with --api-key: the model list needs the key too.
        if not self._auth_ok(request):
            return self._error(401, "missing or wrong API key")
        return web.json_response({"object": "list", "data": [
            {"id": self.served_model, "object": "model", "root": self.served_model,
             "owned_by": "serve-sim"}]})

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def metrics(self, request: web.Request) -> web.Response:
        """Prometheus text in vLLM's metric names, so a client's scraper can be tested here."""
        st, lm = self.stats, self.lm
        label = '{model_name="%s"}' % self.served_model
        kv = st["inflight"] / lm.max_concurrency if lm.max_concurrency else 0.0
        c = self.cache
        lines = [
            "# HELP vllm:num_requests_running Number of requests in model execution batches.",
            "# TYPE vllm:num_requests_running gauge",
            f"vllm:num_requests_running{label} {st['inflight']}",
            "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
            "# TYPE vllm:num_requests_waiting gauge",
            f"vllm:num_requests_waiting{label} {st['queued']}",
            "# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.",
            "# TYPE vllm:kv_cache_usage_perc gauge",
            f"vllm:kv_cache_usage_perc{label} {kv}",
            "# TYPE vllm:prefix_cache_queries_total counter",
            f"vllm:prefix_cache_queries_total{label} {c.queries if c else 0}",
            "# TYPE vllm:prefix_cache_hits_total counter",
            f"vllm:prefix_cache_hits_total{label} {c.hits if c else 0}",
        ]
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")

    async def get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats)

    async def get_emissions(self, request: web.Request) -> web.Response:
        return web.json_response(self.emissions)

    async def post_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    # -- completions -----------------------------------------------------------------------
    async def chat(self, request: web.Request) -> web.StreamResponse:
        return await self._complete(request, chat=True)

    async def completions(self, request: web.Request) -> web.StreamResponse:
        return await self._complete(request, chat=False)

    def _status(self, code: int) -> None:
        s = self.stats["status"]
        s[str(code)] = s.get(str(code), 0) + 1

    def _error(self, code: int, message: str, headers: dict | None = None) -> web.Response:
        self._status(code)
        return web.json_response({"error": {"message": message, "type": "sim_error", "code": code}},
                                 status=code, headers=headers)

    async def _complete(self, request: web.Request, chat: bool) -> web.StreamResponse:
        lm, st = self.lm, self.stats
        st["requests"] += 1
        if not self._auth_ok(request):
            return self._error(401, "missing or wrong API key")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return self._error(400, "request body is not JSON")
        if not isinstance(body, dict):
            return self._error(400, "request body must be a JSON object")
        if lm.reject_stream_options and "stream_options" in body:
            return self._error(400, "Unrecognized request argument supplied: stream_options")
        if chat:
            msgs = body.get("messages")
            if not isinstance(msgs, list):
                return self._error(400, "`messages` must be a list")
            prompt_text = messages_text(msgs)
        else:
            prompt = body.get("prompt")
            if not isinstance(prompt, str):
                return self._error(400, "`prompt` must be a string")
            prompt_text = prompt
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens") or lm.default_max_tokens
        if not isinstance(max_tokens, int) or max_tokens < 1:
            return self._error(400, "`max_tokens` must be a positive integer")
        # Admission faults: decided before any work, like a gateway would.
        if lm.limit_inflight is not None and st["inflight"] >= lm.limit_inflight:
            hdr = {"Retry-After": str(lm.retry_after_s)} if lm.retry_after_s is not None else None
            return self._error(429, "too many requests in flight", hdr)
        if lm.rate_limit_rate and self.rng.random() < lm.rate_limit_rate:
            hdr = {"Retry-After": str(lm.retry_after_s)} if lm.retry_after_s is not None else None
            return self._error(429, "rate limited (simulated)", hdr)
        if lm.error_rate and self.rng.random() < lm.error_rate:
            return self._error(500, "internal error (simulated)")
        rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        model_name = body.get("model") or self.served_model
        if lm.strict_model and model_name != self.served_model:
            # vLLM's answer to an unknown model name
            return self._error(404, f"The model `{model_name}` does not exist.")
        stream = bool(body.get("stream"))
        opts = body.get("stream_options")
        include_usage = lm.usage and isinstance(opts, dict) and bool(opts.get("include_usage"))
        if self.sem is not None:
            st["queued"] += 1
            await self.sem.acquire()
            st["queued"] -= 1
        st["inflight"] += 1
        st["max_inflight"] = max(st["max_inflight"], st["inflight"])
        try:
            return await self._generate(request, chat, rid, model_name, prompt_text,
                                        max_tokens, stream, include_usage)
        finally:
            st["inflight"] -= 1
            if self.sem is not None:
                self.sem.release()

    def _plan(self, prompt_tokens: int, n_chunks: int, t_start: int) -> list[int]:
        """Absolute monotonic-ns deadline of each token event."""
        lm, rng = self.lm, self.rng
        ttft = lm.ttft_ms + lm.prefill_ms_per_1k * prompt_tokens / 1000.0
        if lm.jitter_ms:
            ttft = max(0.0, rng.gauss(ttft, lm.jitter_ms))
        t = t_start + ttft * 1e6
        out = [int(t)]
        gap = lm.tpot_ms * lm.tokens_per_chunk
        for _ in range(n_chunks - 1):
            g = max(0.0, rng.gauss(gap, lm.jitter_ms)) if lm.jitter_ms else gap
            t += g * 1e6
            out.append(int(t))
        return out

    async def _generate(self, request: web.Request, chat: bool, rid: str, model_name: str,
                        prompt_text: str, max_tokens: int, stream: bool,
                        include_usage: bool) -> web.StreamResponse:
        lm, st, rng = self.lm, self.stats, self.rng
        t_start = time.monotonic_ns()
        est = estimate_tokens(prompt_text)
        cached_est = self.cache.lookup_and_insert(prompt_text, est) if self.cache is not None else 0
        f = lm.prompt_token_factor
        prompt_tokens = max(1, round(est * f)) if f != 1.0 else est
        cached = min(prompt_tokens, round(cached_est * f))
        per = lm.tokens_per_chunk
        n_chunks = math.ceil(max_tokens / per)
        deadlines = self._plan(prompt_tokens - cached, n_chunks, t_start)
        words = rng.choices(_WORDS, k=max_tokens)
        created = int(time.time())
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": max_tokens,
                 "total_tokens": prompt_tokens + max_tokens}
        if self.cache is not None:
            usage["prompt_tokens_details"] = {"cached_tokens": cached}
        if not stream:
            delay = deadlines[-1] - time.monotonic_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            text = b"".join(words).decode()
            choice = ({"index": 0, "message": {"role": "assistant", "content": text},
                       "finish_reason": "length"} if chat else
                      {"index": 0, "text": text, "finish_reason": "length"})
            self._status(200)
            st["tokens"] += max_tokens
            return web.json_response({"id": ("chatcmpl-" if chat else "cmpl-") + rid,
                                      "object": "chat.completion" if chat else "text_completion",
                                      "created": created, "model": model_name,
                                      "choices": [choice], "usage": usage})

        mname = json.dumps(model_name)
        if chat:
            head = (f'data: {{"id":"chatcmpl-{rid}","object":"chat.completion.chunk","created":{created},'
                    f'"model":{mname},"choices":[{{"index":0,"delta":{{').encode()
            first_extra = b'"role":"assistant",'
            mid = b'"content":"'
            tail_open, tail_last = b'"},"logprobs":null,"finish_reason":null}]}\n\n', \
                b'"},"logprobs":null,"finish_reason":"length"}]}\n\n'
        else:
            head = (f'data: {{"id":"cmpl-{rid}","object":"text_completion","created":{created},'
                    f'"model":{mname},"choices":[{{"index":0,').encode()
            first_extra = b""
            mid = b'"text":"'
            tail_open, tail_last = b'","logprobs":null,"finish_reason":null}]}\n\n', \
                b'","logprobs":null,"finish_reason":"length"}]}\n\n'

        cut_at = rng.randrange(1, n_chunks) if (n_chunks > 1 and lm.disconnect_rate
                                                  and rng.random() < lm.disconnect_rate) else None
        bad_at = rng.randrange(0, n_chunks) if (lm.malformed_rate
                                                 and rng.random() < lm.malformed_rate) else None

        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-cache"})
        await resp.prepare(request)
        self._status(200)
        emit = [] if self.record_emissions else None
        if emit is not None:
            self.emissions[rid] = emit
        i = 0
        try:
            while i < n_chunks:
                delay = deadlines[i] - time.monotonic_ns()
                if delay > 0:
                    await asyncio.sleep(delay / 1e9)
                now = time.monotonic_ns()
                parts = []
                first = i
                # Everything already due goes out in one write.
                while i < n_chunks and deadlines[i] <= now:
                    if i == bad_at:
                        parts.append(b"data: {this is not json\n\n")
                        st["malformed"] += 1
                    toks = b"".join(words[i * per:(i + 1) * per])
                    last = i == n_chunks - 1
                    parts.append(head + (first_extra if i == 0 else b"") + mid + toks
                                 + (tail_last if last else tail_open))
                    i += 1
                    if cut_at is not None and i >= cut_at:
                        break
                data = b"".join(parts)
                if emit is not None:
                    # Stamped after building, just before the send: the earliest moment the
                    # client could possibly see these events.
                    emit.extend([time.monotonic_ns()] * (i - first))
                await resp.write(data)
                if cut_at is not None and i >= cut_at:
                    # Simulate the server dying mid-stream: drop the connection.
                    st["disconnects"] += 1
                    if request.transport is not None:
                        request.transport.abort()
                    return resp
            st["tokens"] += max_tokens
            if include_usage:
                u = (f'data: {{"id":"{"chatcmpl-" if chat else "cmpl-"}{rid}","object":'
                     f'"{"chat.completion.chunk" if chat else "text_completion"}","created":{created},'
                     f'"model":{mname},"choices":[],"usage":{json.dumps(usage)}}}\n\n').encode()
                await resp.write(u + b"data: [DONE]\n\n")
            else:
                await resp.write(b"data: [DONE]\n\n")
            await resp.write_eof()
            st["streams_completed"] += 1
        except ConnectionResetError:
            # The client went away mid-stream; nothing left to answer.
            pass
        return resp
