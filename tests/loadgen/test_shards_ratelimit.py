"""Shards file parsing, base-model names, and the per-shard limiter (fixed/adaptive)."""

from __future__ import annotations

import asyncio
import time

import pytest

from loadgen.ratelimit import AdaptivePolicy, ShardLimiter
from loadgen.shards import ConfigError, base_model_name, load_shards_file, redact_url


@pytest.mark.parametrize("name, base", [
    ("DeepSeek-V3-0324-2", "DeepSeek-V3-0324"),
    ("DeepSeek-V3-0324-12", "DeepSeek-V3-0324"),
    ("DeepSeek-V3-0324", "DeepSeek-V3-0324"),   # a 4-digit date is not a replica index
    ("Qwen2.5-72B-Instruct-3", "Qwen2.5-72B-Instruct"),
    ("gpt-4", "gpt-4"),                         # nothing versioned before the number
    ("Llama-3", "Llama-3"),
    ("sim-model", "sim-model"),
])
def test_base_model_name(name, base):
    assert base_model_name(name) == base


def test_redact_url_drops_credentials_and_query():
    assert redact_url("https://user:sk-123@host:8443/v1?key=sk-123") == "https://host:8443/v1"


def test_load_shards_file_defaults_stagger_and_overrides(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("""
stagger_s: 1.5
rate_mode: adaptive
model: DeepSeek-V3-0324
shards:
  - name: a
    base_url: http://127.0.0.1:1/
    api_key_env: KEY_A
    max_concurrency: 100
  - name: b
    base_url: http://127.0.0.1:2
    model: DeepSeek-V3-0324-2
    qps: 5
    rate_mode: fixed
  - name: c
    base_url: http://127.0.0.1:3
    max_concurrency: 5
    start_delay_s: 0
    base_model: DSV3
""")
    a, b, c = load_shards_file(p, default_api_key_env="OPENAI_API_KEY")
    assert (a.base_url, a.api_key_env, a.rate_mode, a.start_delay_s) == \
        ("http://127.0.0.1:1", "KEY_A", "adaptive", 0.0)
    assert (b.model, b.base_model, b.qps, b.rate_mode, b.start_delay_s, b.api_key_env) == \
        ("DeepSeek-V3-0324-2", "DeepSeek-V3-0324", 5.0, "fixed", 1.5, "OPENAI_API_KEY")
    assert (c.base_model, c.start_delay_s) == ("DSV3", 0.0)


@pytest.mark.parametrize("body, needle", [
    ("shards: []", "non-empty `shards:`"),
    ("shards:\n  - {base_url: 'http://h', model: m, max_concurrency: 0}", "shard #1 (shard0): max_concurrency"),
    ("shards:\n  - {base_url: 'http://h', model: m, bogus: 1}", "unknown key(s) ['bogus']"),
    ("shards:\n  - {model: m}", "base_url missing"),
    ("shards:\n  - {base_url: 'http://h', model: m, rate_mode: adaptive}", "adaptive rate mode needs"),
    ("shards:\n  - {name: x, base_url: 'http://h', model: m}\n  - {name: x, base_url: 'http://h', model: m}",
     "duplicate shard name"),
    ("shards: [", "invalid YAML"),
])
def test_shards_file_errors_name_file_and_shard(tmp_path, body, needle):
    p = tmp_path / "s.yaml"
    p.write_text(body)
    with pytest.raises(ConfigError) as e:
        load_shards_file(p)
    assert str(e.value).startswith(str(p)) and needle in str(e.value)


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_adaptive_halves_once_per_cooldown_then_climbs():
    clock = FakeClock()
    lim = ShardLimiter(max_concurrency=16, qps=20.0, mode="adaptive", clock=clock,
                       policy=AdaptivePolicy(cooldown_s=1.0, climb_interval_s=1.0, climb_step=0.25))
    assert (lim.concurrency_limit, lim.qps_limit) == (16, 20.0)
    for _ in range(5):                      # a burst of 429s from one overload event
        lim.on_result("http_429", backoff=True)
    assert (lim.concurrency_limit, lim.qps_limit) == (8, 10.0)
    clock.t += 1.0
    lim.on_result("http_5xx", backoff=True)
    assert lim.concurrency_limit == 4 and lim.backoffs == 2
    clock.t += 0.5
    lim.on_result(None)                     # healthy, but not a full interval yet
    assert lim.concurrency_limit == 4
    clock.t += 0.6
    lim.on_result(None)
    assert lim.concurrency_limit == 8       # 0.25 + 0.25 of the cap
    clock.t += 10
    lim.on_result(None)
    assert lim.concurrency_limit == 16      # never above the configured cap


def test_adaptive_floor_is_one_request():
    clock = FakeClock()
    lim = ShardLimiter(4, None, "adaptive", AdaptivePolicy(cooldown_s=0.0), clock=clock)
    for _ in range(10):
        lim.on_result("http_429", backoff=True)
        clock.t += 0.01
    assert lim.concurrency_limit == 1


def test_fixed_mode_ignores_errors():
    lim = ShardLimiter(8, 5.0, "fixed")
    for _ in range(5):
        lim.on_result("http_429", backoff=True)
    assert (lim.concurrency_limit, lim.qps_limit, lim.backoffs) == (8, 5.0, 0)


def test_limiter_caps_concurrency_and_paces_qps():
    async def scenario():
        lim = ShardLimiter(max_concurrency=3, qps=50.0)
        peak = 0
        starts = []

        async def job():
            nonlocal peak
            peak = max(peak, lim.inflight)
            starts.append(time.monotonic())
            await asyncio.sleep(0.01)
            lim.release()

        tasks = []
        for _ in range(12):
            await lim.acquire()
            tasks.append(asyncio.create_task(job()))
        await asyncio.gather(*tasks)
        return peak, starts

    peak, starts = asyncio.run(scenario())
    assert peak <= 3
    # 12 starts at <= 50/s need at least 11 * 20 ms; sleeping can only make it longer.
    assert starts[-1] - starts[0] >= 11 * 0.02 * 0.99


def test_retry_after_pauses_adaptive_shard():
    async def scenario():
        lim = ShardLimiter(4, None, "adaptive")
        lim.on_result("http_429", retry_after_s=0.2, backoff=True)
        t = time.monotonic()
        await lim.acquire()
        return time.monotonic() - t

    assert asyncio.run(scenario()) >= 0.19
