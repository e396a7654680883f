"""Summary statistics in the shape of vLLM `bench serve`'s saved result JSON.

Definitions follow vLLM: only successful requests count towards latency stats and
token totals; TPOT only for requests with more than one output token; ITLs pooled over
all successful requests; percentiles by linear interpolation (numpy's default), std is
the population std. An empty metric (no successful request, or no output longer than one
token for TPOT) is null, not vLLM's 0: a run where nothing succeeded has no latency, and
0.00 ms would read as a very fast one. Per-request arrays (input_lens, ttfts,
itls, ...) cover every request of the main phase in dataset order, like vLLM's.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

LATENCY_METRICS = ("ttft", "tpot", "itl", "e2el")


def percentile(sorted_vals: list[float], p: float) -> float:
    if not sorted_vals:
        return 0.0
    idx = (len(sorted_vals) - 1) * p / 100.0
    lo = math.floor(idx)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (idx - lo)


def describe(values: list[float], percentiles: list[float], name: str) -> dict:
    """mean/median/std/p* of `values` (ms) under vLLM's key names; all None if empty."""
    n = len(values)
    s = sorted(values)
    mean = sum(s) / n if n else None
    std = math.sqrt(sum((v - mean) ** 2 for v in s) / n) if n else None
    out = {f"mean_{name}_ms": mean, f"median_{name}_ms": percentile(s, 50) if n else None,
           f"std_{name}_ms": std}
    for p in percentiles:
        word = str(int(p)) if int(p) == p else str(p)
        out[f"p{word}_{name}_ms"] = percentile(s, p) if n else None
    return out


def _latencies(records: list[dict]) -> dict[str, list[float]]:
    ok = [r for r in records if r["success"]]
    itl: list[float] = []
    for r in ok:
        itl.extend(r["itl_ms"])
    return {"ttft": [r["ttft_ms"] for r in ok],
            "tpot": [r["tpot_ms"] for r in ok if r["tpot_ms"] is not None],
            "itl": itl,
            "e2el": [r["e2el_ms"] for r in ok]}


def _good(r: dict, goodput: dict[str, float]) -> bool:
    # vLLM: TPOT counts as 0 for single-token outputs when judging SLOs.
    vals = {"ttft": r["ttft_ms"], "tpot": r["tpot_ms"] or 0.0, "e2el": r["e2el_ms"]}
    return all(vals[k] <= slo for k, slo in goodput.items())


def _peaks(ok: list[dict]) -> tuple[float, int]:
    """vLLM's max_output_tokens_per_s (token chunks per 1 s bucket) and peak concurrency."""
    if not ok:
        return 0.0, 0
    start = min(r["send_offset_ns"] for r in ok)
    buckets: Counter = Counter()
    events = []
    for r in ok:
        s = r["send_offset_ns"]
        for c in r["chunk_ns"]:
            buckets[(s + c - start) // 1_000_000_000] += 1
        events.append((s, 1))
        events.append((s + r["chunk_ns"][-1], -1))
    events.sort()
    cur = peak = 0
    for _, d in events:
        cur += d
        peak = max(peak, cur)
    return float(max(buckets.values())) if buckets else 0.0, peak


def _block(records: list[dict], duration_s: float, percentiles: list[float]) -> dict:
    ok = [r for r in records if r["success"]]
    tin = sum(r["input_tokens"] or 0 for r in ok)
    tout = sum(r["output_tokens"] or 0 for r in ok)
    dur = duration_s if duration_s > 0 else float("nan")
    out = {"completed": len(ok), "failed": len(records) - len(ok),
           "total_input_tokens": tin, "total_output_tokens": tout,
           "request_throughput": len(ok) / dur if duration_s > 0 else 0.0,
           "output_throughput": tout / dur if duration_s > 0 else 0.0,
           "total_token_throughput": (tin + tout) / dur if duration_s > 0 else 0.0}
    lat = _latencies(records)
    for m in LATENCY_METRICS:
        out.update(describe(lat[m], percentiles, m))
    return out


def build_summary(records: list[dict], *, duration_s: float, run: dict,
                  percentiles: list[float], goodput: dict[str, float]) -> dict:
    """records: every request line of the run (warm-up and cancelled ones are set aside
    here). run: header facts (run_id, date, backend, model_id, ...)."""
    main = sorted((r for r in records if not r["warmup"]), key=lambda r: r["seq"])
    cancelled = [r for r in main if r["error_class"] == "cancelled"]
    main = [r for r in main if r["error_class"] != "cancelled"]
    pcts = sorted(set([*percentiles, 99.0]))
    block = _block(main, duration_s, pcts)
    ok = [r for r in main if r["success"]]
    rate = run.get("request_rate")
    summary: dict = {
        "date": run.get("date"),
        "backend": run.get("backend"),
        "label": run.get("label"),
        "model_id": run.get("model_id"),
        # No tokenizer is loaded (offline operation): token counts come from the server's
        # usage, else the offline estimate.
        "tokenizer_id": None,
        "num_prompts": run.get("num_prompts") or len(main),
        "request_rate": "inf" if rate is None or math.isinf(rate) else rate,
        "burstiness": run.get("burstiness"),
        "max_concurrency": run.get("max_concurrency"),
        "duration": duration_s,
        "completed": block["completed"],
        "failed": block["failed"],
        "total_input_tokens": block["total_input_tokens"],
        "total_output_tokens": block["total_output_tokens"],
        "request_throughput": block["request_throughput"],
        "request_goodput": (sum(1 for r in ok if _good(r, goodput)) / duration_s
                            if goodput and duration_s > 0 else None),
        "output_throughput": block["output_throughput"],
        "total_token_throughput": block["total_token_throughput"],
    }
    for m in LATENCY_METRICS:
        summary.update({k: v for k, v in block.items() if k.endswith(f"_{m}_ms")})
    peak_tok, peak_conc = _peaks(ok)
    summary["max_output_tokens_per_s"] = peak_tok
    summary["max_concurrent_requests"] = peak_conc
    summary.update({
        "input_lens": [r["input_tokens"] or 0 for r in main],
        "output_lens": [(r["output_tokens"] or 0) if r["success"] else 0 for r in main],
        "ttfts": [(r["ttft_ms"] or 0.0) / 1e3 if r["success"] else 0.0 for r in main],
        "itls": [[v / 1e3 for v in r["itl_ms"]] if r["success"] else [] for r in main],
        "generated_texts": [r["generated_text"] or "" for r in main],
        "errors": [("" if r["success"] else (r["error_message"] or r["error_class"] or ""))
                   for r in main],
    })
    # --- our additions ---------------------------------------------------------------
    errs = Counter(r["error_class"] for r in main if not r["success"])
    summary.update({
        "run_id": run.get("run_id"),
        "num_errors": len(main) - len(ok),
        "error_classes": dict(sorted(errs.items())),
        "cancelled": len(cancelled),
        "warmup_requests": sum(1 for r in records if r["warmup"]),
        "retries": sum(r["retries"] for r in main),
        # .get: traces written before connection retries existed have no such field
        "connection_retries": sum(r.get("connection_retries") or 0 for r in main),
        "output_tokens_estimated": sum(1 for r in ok if r["output_tokens_estimated"]),
        "input_tokens_estimated": sum(1 for r in ok if r["input_tokens_estimated"]),
        "dataset": run.get("dataset"),
        "isl": run.get("isl"),
        "osl": run.get("osl"),
        "num_gpus": run.get("num_gpus"),
        "interrupted": run.get("interrupted", False),
        "tool_version": run.get("tool_version"),
        "simulated": bool(run.get("simulated")),
    })
    gpus = run.get("num_gpus")
    if gpus:
        summary["output_throughput_per_gpu"] = summary["output_throughput"] / gpus
        summary["total_token_throughput_per_gpu"] = summary["total_token_throughput"] / gpus
    by_shard: dict[str, list[dict]] = defaultdict(list)
    for r in main:
        by_shard[r["shard"]].append(r)
    shards = {}
    for name, recs in sorted(by_shard.items()):
        b = _block(recs, duration_s, [99.0])
        shards[name] = {
            "deployment": recs[0]["deployment"], "model": recs[0]["model"],
            "endpoint": recs[0]["endpoint"], "requests": len(recs),
            **{k: b[k] for k in ("completed", "failed", "total_input_tokens", "total_output_tokens",
                                 "request_throughput", "output_throughput")},
            **{k: v for k, v in b.items() if k.startswith(("mean_", "median_", "p99_"))},
            "error_classes": dict(sorted(Counter(r["error_class"] for r in recs
                                                 if not r["success"]).items())),
            "retries": sum(r["retries"] for r in recs),
            "connection_retries": sum(r.get("connection_retries") or 0 for r in recs),
        }
    summary["shards"] = shards
    return summary


def judge_run(records: list[dict], max_error_rate: float) -> str | None:
    """judge_counts over a run's request lines (warm-up and cancelled ones left out)."""
    main = [r for r in records if not r["warmup"] and r["error_class"] != "cancelled"]
    return judge_counts(len(main), sum(1 for r in main if r["success"]), max_error_rate)


def judge_counts(requests: int, ok: int, max_error_rate: float) -> str | None:
    """Why a finished run counts as failed, or None if it passed: more than
    `max_error_rate` of its main-phase requests failed, or none succeeded at all."""
    failed = requests - ok
    if requests == 0:
        return "no request was sent"
    if ok == 0:
        return f"all {failed} requests failed"
    if failed / requests > max_error_rate:
        return (f"{failed} of {requests} requests failed ({failed / requests:.1%}), "
                f"more than --max-error-rate {max_error_rate:g}")
    return None
