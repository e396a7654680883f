"""--calibrate-isl: make random prompts cost --isl tokens on the server's own tokenizer,
without loading a tokenizer.

Our offline rule (4 characters a token) is exact for our synthetic words on serve-sim and
wrong on real tokenizers (a "128-token" prompt was 178-306 tokens on one). Before the run,
a few 1-token requests with prompts of W and 2W words read usage.prompt_tokens back; a
line tokens = a + b x words (a: the chat template's fixed cost) gives the words needed
for --isl tokens. The run's prompts are then sized with that ratio, the achieved ISL
distribution is in the summary (served_isl_p5/p50/p95) and the trace (input_tokens).
"""

from __future__ import annotations

import json
import os
import random

import aiohttp

from loadgen.client import BACKENDS
from loadgen.datasets import random_text
from loadgen.errors import one_line
from loadgen.preflight import PreflightError

SAMPLES = 3  # per size; the prompts differ, the fit uses the means


async def measure_words_per_token(cfg) -> float:
    shards, _, _ = cfg.resolve()
    shard = shards[0]
    isl = cfg.isl or 1024
    chat = cfg.backend == "openai-chat"
    url = shard.base_url.rstrip("/") + (cfg.endpoint or BACKENDS[cfg.backend])
    key = os.environ.get(shard.api_key_env) if shard.api_key_env else None
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {key}"} if key else {})
    rng = random.Random(f"loadgen-calibrate:{cfg.seed}")
    sizes = (max(1, isl // 2), max(2, isl))
    means = []
    timeout = aiohttp.ClientTimeout(total=min(cfg.request_timeout_s, 60.0))
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
        for words in sizes:
            got = []
            for _ in range(SAMPLES):
                text = random_text(rng, words)
                body = {"model": shard.model, "max_tokens": 1, "stream": False}
                body |= {"messages": [{"role": "user", "content": text}]} if chat else {"prompt": text}
                try:
                    async with session.post(url, data=json.dumps(body)) as resp:
                        doc = await resp.json(content_type=None) if resp.status == 200 else None
                        status = resp.status
                except (aiohttp.ClientError, TimeoutError, ValueError) as e:
                    raise PreflightError(one_line(f"--calibrate-isl: request to {shard.name} failed: "
                                                  f"{type(e).__name__}: {e}", (key,) if key else ())) from None
                usage = (doc or {}).get("usage") if isinstance(doc, dict) else None
                n = usage.get("prompt_tokens") if isinstance(usage, dict) else None
                if not isinstance(n, int) or n <= 0:
                    raise PreflightError(f"--calibrate-isl: the server reported no usage.prompt_tokens "
                                         f"(HTTP {status}); run without --calibrate-isl")
                got.append(n)
            means.append(sum(got) / len(got))
    (w1, w2), (t1, t2) = sizes, means
    slope = (t2 - t1) / (w2 - w1) if w2 != w1 else t2 / w2   # tokens per word
    if slope <= 0:
        raise PreflightError(f"--calibrate-isl: prompt_tokens did not grow with the prompt ({t1:g} -> {t2:g})")
    overhead = t1 - slope * w1
    words = max(1.0, (isl - overhead) / slope)
    return words / isl
