"""The simulated server's latency and fault model."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class LatencyModel:
    ttft_ms: float = 50.0            # time from admission to the first token
    tpot_ms: float = 10.0            # time between successive tokens
    jitter_ms: float = 0.0           # std dev of gaussian noise on TTFT and on each token gap
    prefill_ms_per_1k: float = 0.0   # extra TTFT per 1000 (estimated) prompt tokens
    tokens_per_chunk: int = 1        # tokens carried by one SSE event
    default_max_tokens: int = 128    # output length when the request sets no max_tokens
    error_rate: float = 0.0          # fraction of requests answered 500
    rate_limit_rate: float = 0.0     # fraction of requests answered 429
    limit_inflight: int | None = None  # answer 429 while this many requests are in flight
    retry_after_s: float | None = None  # Retry-After header on 429s
    disconnect_rate: float = 0.0     # fraction of streams cut (connection aborted) mid-way
    malformed_rate: float = 0.0      # fraction of streams with one non-JSON data: event
    max_concurrency: int | None = None  # requests beyond this wait for a slot (like a batch limit)
    usage: bool = True               # send the usage event when stream_options.include_usage asks
    reject_stream_options: bool = False  # 400 on stream_options, like servers without support
    strict_model: bool = False       # 404 to requests naming another model than the served one
    # Connection misbehaviours of real servers (shared/README.md section 6):
    close_after_response: bool = False  # one response per connection: closed shortly after
                                        # it, unannounced; a request reusing it is dropped unanswered
    idle_close_s: float | None = None   # close keep-alive connections idle this long (s)
    loading_s: float = 0.0              # answer 503 to everything (also /health, /v1/models)
                                        # for this many seconds after start, like a loading model
    # Prefix caching (vLLM-style automatic prefix caching, by blocks of the prompt text): the cached
    # part of a prompt costs no prefill, and usage reports it as prompt_tokens_details.cached_tokens.
    prefix_cache: bool = False
    cache_block_tokens: int = 16     # block size; only whole blocks matching from the start count
    cache_blocks: int = 65536        # blocks kept (least recently used go first)
    # A fake tokenizer: usage.prompt_tokens = offline estimate x this factor, so a client that trusts
    # its own estimate is off by it (real tokenizers are: 178-306 tokens for a "128-token" prompt).
    prompt_token_factor: float = 1.0
    seed: int | None = 0

    @classmethod
    def zero(cls, **kw) -> "LatencyModel":
        """No injected latency at all: the server streams as fast as it can."""
        return cls(ttft_ms=0.0, tpot_ms=0.0, **kw)

    def validate(self) -> None:
        for name in ("ttft_ms", "tpot_ms", "jitter_ms", "prefill_ms_per_1k", "loading_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"--{name.replace('_', '-')} must be >= 0")
        for name in ("error_rate", "rate_limit_rate", "disconnect_rate", "malformed_rate"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValueError(f"--{name.replace('_', '-')} must be between 0 and 1, got {v}")
        if self.idle_close_s is not None and self.idle_close_s <= 0:
            raise ValueError(f"--idle-close-s must be > 0, got {self.idle_close_s}")
        if not self.prompt_token_factor > 0:
            raise ValueError(f"--prompt-token-factor must be > 0, got {self.prompt_token_factor}")
        if self.cache_block_tokens < 1 or self.cache_blocks < 1:
            raise ValueError("--cache-block-tokens and --cache-blocks must be >= 1")
        if self.tokens_per_chunk < 1 or self.default_max_tokens < 1:
            raise ValueError("--tokens-per-chunk and --default-max-tokens must be >= 1")
        for name in ("limit_inflight", "max_concurrency"):
            v = getattr(self, name)
            if v is not None and v < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be >= 1")

    def rng(self) -> random.Random:
        return random.Random(self.seed)
