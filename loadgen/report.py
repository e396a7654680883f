"""Human-readable end-of-run output: vLLM's result block plus where the files are."""

from __future__ import annotations

from loadgen.metrics import LATENCY_METRICS

_TITLES = {"ttft": ("TTFT", "Time to First Token"),
           "tpot": ("TPOT", "Time per Output Token (excl. 1st token)"),
           "itl": ("ITL", "Inter-token Latency"),
           "e2el": ("E2EL", "End-to-end Latency")}


def _num(v, fmt: str = ".2f", width: str = "") -> str:
    """A figure, or n/a where there is none (no successful request): never 0.00 ms."""
    return format(v, width + fmt) if isinstance(v, (int, float)) else format("n/a", width)


def format_summary(s: dict, paths: dict[str, str] | None = None) -> str:
    w = 50
    row = "{:<40} {:<10}".format
    out = [" Serving Benchmark Result ".center(w, "=")]
    if s.get("status") and s["status"] != "completed":
        out.append(row("Run status:", s["status"].upper()))
    if s.get("failure_reason"):
        out.append(row("Failed because:", s["failure_reason"]))
    out += [row("Run id:", s.get("run_id") or ""),
            row("Successful requests:", s["completed"]),
            row("Failed requests:", s["failed"])]
    if s.get("error_classes"):
        for k, v in s["error_classes"].items():
            out.append(row(f"  {k}:", v))
    if s.get("connection_retries"):
        out.append(row("Resent on a fresh connection:", s["connection_retries"]))
    if s.get("cancelled"):
        out.append(row("Cancelled (in flight at stop):", s["cancelled"]))
    if s.get("max_concurrency") is not None:
        out.append(row("Maximum request concurrency:", s["max_concurrency"]))
    if s.get("request_rate") not in (None, "inf"):
        out.append(row("Request rate configured (RPS):", f"{s['request_rate']:.2f}"))
    out += [row("Benchmark duration (s):", f"{s['duration']:.2f}"),
            row("Total input tokens:", s["total_input_tokens"]),
            row("Total generated tokens:", s["total_output_tokens"]),
            row("Request throughput (req/s):", f"{s['request_throughput']:.2f}")]
    if s.get("request_goodput") is not None:
        out.append(row("Request goodput (req/s):", f"{s['request_goodput']:.2f}"))
    out += [row("Output token throughput (tok/s):", f"{s['output_throughput']:.2f}"),
            row("Peak output token throughput (tok/s):", f"{s['max_output_tokens_per_s']:.2f}"),
            row("Peak concurrent requests:", s["max_concurrent_requests"]),
            row("Total Token throughput (tok/s):", f"{s['total_token_throughput']:.2f}")]
    if s.get("output_tokens_estimated"):
        out.append(row("Requests with estimated tokens:", s["output_tokens_estimated"]))
    pkeys = sorted({k.split("_")[0] for k in s if k.startswith("p") and k.endswith("_ttft_ms")},
                   key=lambda k: float(k[1:]))
    for m in LATENCY_METRICS:
        short, title = _TITLES[m]
        out.append(title.center(w, "-"))
        out.append(row(f"Mean {short} (ms):", _num(s.get(f"mean_{m}_ms"))))
        out.append(row(f"Median {short} (ms):", _num(s.get(f"median_{m}_ms"))))
        for p in pkeys:
            out.append(row(f"P{p[1:]} {short} (ms):", _num(s.get(f"{p}_{m}_ms"))))
    if len(s.get("shards") or {}) > 1:
        out.append(" Shards ".center(w, "-"))
        for name, sh in s["shards"].items():
            out.append(f"{name} ({sh['deployment']}): {sh['completed']} ok, {sh['failed']} failed, "
                       f"{sh['request_throughput']:.2f} req/s, TTFT p50 {_num(sh.get('median_ttft_ms'), '.1f')} ms")
    notes = []
    if s.get("stopped_early"):
        notes.append(f"Stopped early (over-saturation guard): {s['stopped_early']}")
    if s.get("p99_schedule_lag_ms") is not None:
        notes.append(f"Schedule lag p50/p99/max (ms): {_num(s.get('p50_schedule_lag_ms'))} / "
                     f"{_num(s['p99_schedule_lag_ms'])} / {_num(s.get('max_schedule_lag_ms'))}")
    if s.get("served_isl_p50") is not None:
        notes.append(f"Served ISL p5/p50/p95 (server tokens): {s['served_isl_p5']:.0f} / "
                     f"{s['served_isl_p50']:.0f} / {s['served_isl_p95']:.0f} (asked {s.get('isl')})")
    if s.get("calibrated_words_per_token"):
        notes.append(f"ISL calibrated: {s['calibrated_words_per_token']:.3f} words per server token")
    if s.get("client_loop_lag_p99_ms") is not None:
        notes.append(f"Client event-loop lag p99 (ms): {s['client_loop_lag_p99_ms']:.2f}, "
                     f"CPU {s.get('client_cpu_util', 0):.0%} of a core")
    if s.get("client_warning"):
        notes.append(f"WARNING: {s['client_warning']}")
    if s.get("server_metrics_scrapes") is not None:
        notes.append(f"Server metrics scraped: {s['server_metrics_scrapes']} "
                     f"({s.get('server_metrics_failures', 0)} failed)")
    if notes:
        out.append(" Run notes ".center(w, "-"))
        out += notes
    out.append("=" * w)
    for k, v in (paths or {}).items():
        out.append(f"{k}: {v}")
    return "\n".join(out)


def format_sweep(rows: list[dict]) -> str:
    head = f"{'step':>4} {'param':>14} {'status':>11} {'ok':>6} {'fail':>5} {'req/s':>8} {'tok/s':>9} " \
           f"{'TTFT p50':>9} {'TPOT p50':>9} {'E2EL p99':>9}"
    lines = [head, "-" * len(head)]
    for r in rows:
        s = r["summary"] or {}
        lines.append(f"{r['step']:>4} {r['param']:>14} {r['status']:>11} {s.get('completed', 0):>6} "
                     f"{s.get('failed', 0):>5} {s.get('request_throughput', 0):>8.2f} "
                     f"{s.get('output_throughput', 0):>9.1f} {_num(s.get('median_ttft_ms'), '.1f', '>9')} "
                     f"{_num(s.get('median_tpot_ms'), '.2f', '>9')} {_num(s.get('p99_e2el_ms'), '.1f', '>9')}")
    return "\n".join(lines)
