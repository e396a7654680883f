"""--scrape-metrics: while a run lasts, read the server's Prometheus /metrics every few seconds
and keep the queue/batch/KV-cache gauges in <run dir>/server_metrics.jsonl, so a latency jump
in the trace can be read against what the server itself reported at that moment.

Only the metrics below are kept (vLLM's and SGLang's names), summed over their label sets
(several engines behind one endpoint add up). A failed scrape is counted, never fatal: the
load test is what matters. No API key is sent (metrics endpoints do not take one, and the key
must not travel anywhere it is not needed).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp

KEPT = (
    "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc",
    "vllm:gpu_cache_usage_perc", "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total",
    "sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage", "sglang:cache_hit_rate",
)
FILE_NAME = "server_metrics.jsonl"


def parse_prometheus(text: str, kept: tuple[str, ...] = KEPT) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        name_end = min((i for i in (line.find("{"), line.find(" ")) if i >= 0), default=-1)
        if name_end < 0:
            continue
        name = line[:name_end]
        if name not in kept:
            continue
        rest = line[name_end:]
        if rest.startswith("{"):
            rest = rest[rest.find("}") + 1:]  # label values carry no '}' in the metrics kept
        try:
            value = float(rest.split()[0])  # a timestamp may follow the value
        except (ValueError, IndexError):
            continue
        out[name] = out.get(name, 0.0) + value
    return out


class MetricsScraper:
    def __init__(self, url: str, out_dir: Path, run_id: str, t0_ns: int, interval_s: float = 1.0):
        self.url, self.run_id, self.t0_ns, self.interval_s = url, run_id, t0_ns, interval_s
        self.path = out_dir / FILE_NAME
        self.scrapes = 0
        self.failures = 0
        self.last_error: str | None = None

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=max(1.0, self.interval_s * 2))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            with self.path.open("a", encoding="utf-8") as f:
                while True:
                    await self._once(session, f)
                    await asyncio.sleep(self.interval_s)

    async def _once(self, session: aiohttp.ClientSession, f) -> None:
        mono, unix = time.monotonic_ns(), time.time_ns()
        try:
            async with session.get(self.url) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                values = parse_prometheus(await resp.text())
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, UnicodeDecodeError) as e:
            self.failures += 1
            self.last_error = f"{type(e).__name__}: {e}"[:200]
            return
        self.scrapes += 1
        for name, value in sorted(values.items()):
            f.write(json.dumps({"run_id": self.run_id, "offset_ns": mono - self.t0_ns, "unix_ns": unix,
                                "metric": name, "value": value}) + "\n")
        f.flush()

    def report(self) -> dict:
        return {"server_metrics_scrapes": self.scrapes, "server_metrics_failures": self.failures,
                "server_metrics_error": self.last_error}
