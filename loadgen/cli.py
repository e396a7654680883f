"""Command line: `loadgen` / `semibench loadgen` and `semibench serve-sim`.

`app` is the standalone `loadgen` console script (the load test is its only command,
so `loadgen --base-url ...` works); `loadgen_command` and `serve_sim_command` are plain
functions for registering in the `semibench` Typer app.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from loadgen.shards import ConfigError

_T = "Target"
_W = "Workload"
_R = "Request shaping"
_O = "Output"
_X = "Execution"
_F = "Saturation search (--find-max)"
_H = "Honest measurements"


def _floats(text: str | None, what: str) -> list[float]:
    if not text:
        return []
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ConfigError(f"{what}: expected comma-separated numbers, got {text!r}") from None


def _ints(text: str | None, what: str) -> list[int]:
    vals = _floats(text, what)
    if any(v != int(v) or v <= 0 for v in vals):
        raise ConfigError(f"{what}: expected comma-separated positive integers, got {text!r}")
    return [int(v) for v in vals]


def _pairs(items: list[str] | None, what: str, sep: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        if sep not in item:
            raise ConfigError(f"{what}: expected KEY{sep}VALUE, got {item!r}")
        k, v = item.split(sep, 1)
        out[k.strip()] = v.strip()
    return out


def loadgen_command(
    base_url: Annotated[Optional[str], typer.Option(
        help="Server base URL, e.g. http://127.0.0.1:8000 (the endpoint path is added). "
             "Not needed with --shards if the file names its endpoints.", rich_help_panel=_T)] = None,
    model: Annotated[Optional[str], typer.Option(
        help="Model (deployment) name sent in every request.", rich_help_panel=_T)] = None,
    base_model: Annotated[Optional[str], typer.Option(
        help="Name to report results under. Default: --model with a replica suffix "
             "stripped (DeepSeek-V3-0324-2 -> DeepSeek-V3-0324).", rich_help_panel=_T)] = None,
    backend: Annotated[str, typer.Option(
        help="API flavour: openai-chat (/v1/chat/completions) or openai-completions "
             "(/v1/completions). Both stream SSE.", rich_help_panel=_T)] = "openai-chat",
    endpoint: Annotated[Optional[str], typer.Option(
        help="Override the endpoint path (default from --backend).", rich_help_panel=_T)] = None,
    api_key_env: Annotated[str, typer.Option(
        help="Name of the environment variable holding the API key (sent as a Bearer token). "
             "The key itself is never written to any trace, summary or log. Empty string = "
             "send no key.", rich_help_panel=_T)] = "OPENAI_API_KEY",
    shards: Annotated[Optional[Path], typer.Option(
        help="YAML file listing several endpoints/deployments/keys for one run: each shard "
             "with base_url, model, api_key_env, max_concurrency, qps, rate_mode "
             "(fixed|adaptive), start_delay_s. Requests are spread evenly over shards. "
             "See loadgen/TRACE_FORMAT.md.", rich_help_panel=_T)] = None,
    dataset: Annotated[str, typer.Option(
        help="random (synthetic prompts of --isl tokens asking for --osl tokens); custom "
             "(JSONL: one JSON array of chat messages per line); replay (a timestamped "
             "trace: each request at its recorded time); shared-prefix (--prefix-count "
             "prefixes of --prefix-len tokens, then --isl unique tokens); mooncake (Mooncake "
             "JSONL: timestamp ms, input_length, output_length, hash_ids; replayed on "
             "schedule); multi-turn (synthetic chat sessions: --turns, --think-time); "
             "sessions (JSONL, one conversation per line); sharegpt (a local ShareGPT "
             "file). Multi-turn datasets count --num-prompts, --max-concurrency and "
             "--request-rate in sessions.", rich_help_panel=_W)] = "random",
    dataset_path: Annotated[Optional[Path], typer.Option(
        help="The file for --dataset custom, replay, mooncake, sessions or sharegpt.",
        rich_help_panel=_W)] = None,
    prefix_count: Annotated[int, typer.Option(
        help="shared-prefix: distinct shared prefixes (each request uses one, at random).",
        rich_help_panel=_W)] = 8,
    prefix_len: Annotated[int, typer.Option(
        help="shared-prefix: tokens per shared prefix (the unique part is --isl).",
        rich_help_panel=_W)] = 512,
    block_tokens: Annotated[int, typer.Option(
        help="mooncake: tokens per hash-id block (Mooncake traces use 512).",
        rich_help_panel=_W)] = 512,
    turns: Annotated[Optional[str], typer.Option(
        help="multi-turn: turns per session, a number or exp:MEAN / uniform:LO,HI / "
             "normal:MEAN,STD (default 4).", rich_help_panel=_W)] = None,
    think_time: Annotated[Optional[str], typer.Option(
        help="multi-turn datasets: seconds between an answer and the next turn, a number "
             "or a distribution as --turns (default 0; a file's think_time_s wins).",
        rich_help_panel=_W)] = None,
    max_turns: Annotated[Optional[int], typer.Option(
        help="sharegpt: keep only the first N human turns of each conversation.",
        rich_help_panel=_W)] = None,
    ramp_up: Annotated[float, typer.Option(
        help="Seconds over which the arrival rate rises linearly from 0 to --request-rate.",
        rich_help_panel=_W)] = 0.0,
    rate_series: Annotated[Optional[Path], typer.Option(
        help="File of 'SECONDS RATE' lines: piecewise-constant arrival rate from each "
             "SECONDS on (starts at 0; with --arrival poisson/gamma/constant shapes).",
        rich_help_panel=_W)] = None,
    isl: Annotated[Optional[int], typer.Option(
        help="Target input length in tokens (random dataset; default 1024). Recorded in "
             "the run header for placing runs on InferenceMAX curves.", rich_help_panel=_W)] = None,
    osl: Annotated[Optional[int], typer.Option(
        help="Target output length: max_tokens per request (default 128 for random; for "
             "custom/replay it overrides the file's lengths).", rich_help_panel=_W)] = None,
    random_range_ratio: Annotated[float, typer.Option(
        help="Random dataset: vary lengths uniformly by +-this fraction (0 = exact).",
        rich_help_panel=_W)] = 0.0,
    replay_speed: Annotated[float, typer.Option(
        help="Replay: time scale (2 = twice as fast as recorded).", rich_help_panel=_W)] = 1.0,
    num_prompts: Annotated[Optional[int], typer.Option(
        help="Requests in the main phase (default 1000 for random, the file's size for "
             "custom/replay; prompts repeat if needed).", rich_help_panel=_W)] = None,
    duration: Annotated[Optional[float], typer.Option(
        help="Stop issuing new requests after this many seconds (in-flight ones finish). "
             "Instead of, or as well as, --num-prompts.", rich_help_panel=_W)] = None,
    request_rate: Annotated[float, typer.Option(
        help="Mean arrivals per second; inf = all at once (bounded by --max-concurrency).",
        rich_help_panel=_W)] = math.inf,
    burstiness: Annotated[float, typer.Option(
        help="Gamma shape of inter-arrival gaps (vLLM's): 1 = Poisson, <1 burstier, "
             ">1 more regular.", rich_help_panel=_W)] = 1.0,
    arrival: Annotated[str, typer.Option(
        help="Arrival process: auto (poisson at burstiness 1, else gamma; all-at-once at "
             "rate inf; replay for --dataset replay), poisson, gamma, constant, all-at-once.",
        rich_help_panel=_W)] = "auto",
    arrival_spin_ms: Annotated[float, typer.Option(
        help="Busy-wait (yielding) this many ms before each timed arrival instead of "
             "sleeping: asyncio sleeps wake up to 1 ms late, this keeps schedule lag "
             "sub-ms for at most this much CPU per request. 0 = plain sleep.",
        rich_help_panel=_W)] = 1.0,
    max_concurrency: Annotated[Optional[int], typer.Option(
        help="Most requests in flight at once (the whole run; with --shards each shard also "
             "has its own).", rich_help_panel=_W)] = None,
    qps_cap: Annotated[Optional[float], typer.Option(
        help="Hard cap on request starts per second (single endpoint; shards set `qps`).",
        rich_help_panel=_W)] = None,
    rate_mode: Annotated[str, typer.Option(
        help="fixed: caps as given. adaptive: halve the concurrency/QPS caps on 429/5xx "
             "(honouring Retry-After), climb back 10% per --adaptive-interval while healthy.",
        rich_help_panel=_W)] = "fixed",
    adaptive_interval: Annotated[float, typer.Option(
        help="Adaptive mode: seconds between back-offs and between +10% climbs.",
        rich_help_panel=_W)] = 1.0,
    shard_stagger: Annotated[float, typer.Option(
        help="Seconds between shard starts (shard k starts at k*stagger unless its "
             "start_delay_s says otherwise).", rich_help_panel=_W)] = 0.0,
    warmup: Annotated[int, typer.Option(
        help="Warm-up requests sent before the measured phase (in the trace with "
             "warmup=true, left out of the summary).", rich_help_panel=_W)] = 0,
    seed: Annotated[int, typer.Option(
        help="Seed for prompts and arrivals (same seed = same workload).", rich_help_panel=_W)] = 0,
    sweep_concurrency: Annotated[Optional[str], typer.Option(
        help="Run once per max-concurrency value, e.g. 1,4,16,64 (one run directory each, "
             "plus sweep.json).", rich_help_panel=_W)] = None,
    sweep_rate: Annotated[Optional[str], typer.Option(
        help="Run once per request rate, e.g. 1,5,10,inf.", rich_help_panel=_W)] = None,
    ignore_eos: Annotated[Optional[bool], typer.Option(
        "--ignore-eos/--no-ignore-eos",
        help="Send ignore_eos so servers generate the full --osl (default: on for random, "
             "like vLLM).", rich_help_panel=_R)] = None,
    stream_usage: Annotated[bool, typer.Option(
        "--stream-usage/--no-stream-usage",
        help="Ask for token usage in the stream (stream_options.include_usage). Turned off "
             "automatically if the server rejects it; without usage, token counts are "
             "estimated (flagged in the trace).", rich_help_panel=_R)] = True,
    temperature: Annotated[Optional[float], typer.Option(
        help="Sampling temperature to send (default: server's).", rich_help_panel=_R)] = None,
    extra_body: Annotated[Optional[str], typer.Option(
        help='JSON object merged into every request body, e.g. \'{"top_p": 0.9}\'.',
        rich_help_panel=_R)] = None,
    request_timeout: Annotated[float, typer.Option(
        help="Seconds a whole request may take before it is recorded as a timeout.",
        rich_help_panel=_R)] = 600.0,
    read_timeout: Annotated[float, typer.Option(
        help="Seconds the stream may stall between reads before it is a timeout.",
        rich_help_panel=_R)] = 300.0,
    connect_timeout: Annotated[float, typer.Option(
        help="Seconds to open a connection.", rich_help_panel=_R)] = 30.0,
    max_retries: Annotated[int, typer.Option(
        help="Retries for 429/5xx/connect errors before any token arrived (exponential "
             "backoff or Retry-After); timing is of the last attempt, count in `retries`. "
             "(A request that fails on a reused keep-alive connection before any answer is "
             "always resent once on a fresh one, counted in `connection_retries`.)",
        rich_help_panel=_R)] = 0,
    max_error_rate: Annotated[float, typer.Option(
        help="The run fails (exit 1, status failed) when more than this fraction of its "
             "requests failed; it always fails when none succeeded.",
        rich_help_panel=_R)] = 0.5,
    preflight: Annotated[bool, typer.Option(
        "--preflight/--no-preflight",
        help="Before the run, check each endpoint once (GET /v1/models, else a 1-token "
             "request): nothing listening, a model the server does not serve or a refused "
             "key fail at once with one line (exit 1).", rich_help_panel=_R)] = True,
    wait_for_server: Annotated[float, typer.Option(
        help="Seconds to wait for the server to become ready (connection refused or "
             "HTTP 503 while it loads count as not ready), polling; 0 = fail at once.",
        rich_help_panel=_R)] = 0.0,
    out_dir: Annotated[Optional[Path], typer.Option(
        help="Run directory (default runs/<run_id>/): trace.jsonl, summary.json, "
             "trace.parquet.", rich_help_panel=_O)] = None,
    runs_root: Annotated[Path, typer.Option(
        help="Parent of default run directories.", rich_help_panel=_O)] = Path("runs"),
    run_id: Annotated[Optional[str], typer.Option(
        help="Run id (default: UTC timestamp + random suffix).", rich_help_panel=_O)] = None,
    parquet: Annotated[bool, typer.Option(
        "--parquet", help="Also write trace.parquet (typed copy of the request lines).",
        rich_help_panel=_O)] = False,
    save_text: Annotated[bool, typer.Option(
        "--save-text/--no-save-text",
        help="Keep generated text in the trace and summary.", rich_help_panel=_O)] = True,
    metric_percentiles: Annotated[str, typer.Option(
        help="Percentiles reported for TTFT/TPOT/ITL/E2EL, comma-separated (99 is always "
             "included).", rich_help_panel=_O)] = "99",
    goodput: Annotated[Optional[list[str]], typer.Option(
        help="SLO for request_goodput as METRIC:MS (ttft, tpot, e2el); repeatable.",
        rich_help_panel=_O)] = None,
    find_max: Annotated[Optional[str], typer.Option(
        help="Search for the knee: 'rate' (open-loop steps of rising rate after a closed-"
             "loop probe, then bisection) or 'concurrency' (needs --goodput). One run per "
             "step plus sweep.json; prints the curve and the knee.", rich_help_panel=_F)] = None,
    step_duration: Annotated[float, typer.Option(
        help="--find-max: seconds per step.", rich_help_panel=_F)] = 6.0,
    find_max_steps: Annotated[int, typer.Option(
        help="--find-max: most steps (the probe included).", rich_help_panel=_F)] = 12,
    find_max_tolerance: Annotated[float, typer.Option(
        help="--find-max: stop bisecting when failing/passing load <= 1 + this.",
        rich_help_panel=_F)] = 0.05,
    find_max_start: Annotated[Optional[float], typer.Option(
        help="--find-max: first load to try (default: the probe's throughput for rate, 1 "
             "for concurrency).", rich_help_panel=_F)] = None,
    slo_attainment: Annotated[float, typer.Option(
        help="--find-max: a step passes when at least this fraction of its successful "
             "requests meets every --goodput SLO (and it keeps up: achieved rate >= 90%% of "
             "offered, TTFT not growing, errors <= 5%%).", rich_help_panel=_F)] = 0.95,
    stop_on_saturation: Annotated[bool, typer.Option(
        "--stop-on-saturation/--no-stop-on-saturation",
        help="Over-saturation guard: end the run early (status completed, summary "
             "stopped_early) when more than --max-backlog requests wait to be sent, or "
             "outstanding requests and TTFT keep growing. On in --find-max steps.",
        rich_help_panel=_H)] = False,
    max_backlog: Annotated[Optional[int], typer.Option(
        help="Guard: unsent requests that mean saturation (default max(64, 4 x "
             "--max-concurrency)).", rich_help_panel=_H)] = None,
    calibrate_isl: Annotated[bool, typer.Option(
        "--calibrate-isl", help="random dataset: size prompts so they cost --isl tokens on "
                                "the server's tokenizer, from a few 1-token preflight requests' "
                                "usage.prompt_tokens (no tokenizer needed).",
        rich_help_panel=_H)] = False,
    scrape_metrics: Annotated[Optional[str], typer.Option(
        help="While the run lasts, scrape this Prometheus URL ('auto' = <base-url>/metrics) "
             "into <run dir>/server_metrics.jsonl: queue length, running requests, KV-cache "
             "use (vLLM and SGLang names).", rich_help_panel=_H)] = None,
    scrape_interval: Annotated[float, typer.Option(
        help="Seconds between --scrape-metrics reads.", rich_help_panel=_H)] = 1.0,
    num_gpus: Annotated[Optional[int], typer.Option(
        help="GPUs behind the endpoint(s), recorded for per-GPU throughput.",
        rich_help_panel=_O)] = None,
    label: Annotated[Optional[str], typer.Option(
        help="Free-form label stored in the header and summary.", rich_help_panel=_O)] = None,
    metadata: Annotated[Optional[list[str]], typer.Option(
        help="KEY=VALUE stored in the run config; repeatable.", rich_help_panel=_O)] = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress",
        help="Live progress line on stderr (done, in flight, errors, req/s, tok/s).",
        rich_help_panel=_O)] = True,
    busy_poll: Annotated[bool, typer.Option(
        "--busy-poll", help="Keep the event loop polling instead of sleeping: an idle CPU "
                            "(especially a VM's) can take ~1 ms to wake for a packet or "
                            "timer; polling keeps timestamps tight but uses one full core.",
        rich_help_panel=_X)] = False,
    workers: Annotated[int, typer.Option(
        help="Processes to spread the load over (each takes every N-th request and 1/N of "
             "the caps; traces are merged into one).", rich_help_panel=_X)] = 1,
) -> None:
    """Load-test an OpenAI-compatible LLM endpoint the way vLLM `bench serve` does.

    Writes <run dir>/trace.jsonl (one line per request, as they finish) and summary.json (vLLM's saved-result shape), and prints the result.

    Every run also watches the client itself (event-loop lag, CPU): a run whose timings the client
    distorted is flagged client_distorted in its summary, with the lag printed.

    Exit code: 0 completed; 1 failed: the preflight failed (nothing written), or the run failed (more than
    --max-error-rate of its requests failed, or none succeeded; status failed in the trace and summary); 2 bad
    arguments; 130 interrupted (trace and summary still valid). --find-max exits 0 when the search ran,
    whatever it found (steps past the knee fail by design; "knee: none" when no step passed).
    """
    from loadgen.api import run_loadtest, run_sweep
    from loadgen.config import LoadTestConfig
    from loadgen.preflight import PreflightError
    from loadgen.report import format_summary, format_sweep

    try:
        body = {}
        if extra_body:
            try:
                body = json.loads(extra_body)
            except json.JSONDecodeError as e:
                raise ConfigError(f"--extra-body is not valid JSON: {e.msg}") from None
            if not isinstance(body, dict):
                raise ConfigError("--extra-body must be a JSON object")
        goodput_ms = {k: float(v) for k, v in _pairs(goodput, "--goodput", ":").items()} \
            if goodput else {}
        cfg = LoadTestConfig(
            base_url=base_url, model=model, base_model=base_model, backend=backend,
            endpoint=endpoint, api_key_env=api_key_env or None,
            shards_file=str(shards) if shards else None, dataset=dataset,
            dataset_path=str(dataset_path) if dataset_path else None, isl=isl, osl=osl,
            random_range_ratio=random_range_ratio, replay_speed=replay_speed,
            num_prompts=num_prompts, duration_s=duration, request_rate=request_rate,
            burstiness=burstiness, arrival=arrival, arrival_spin_ms=arrival_spin_ms,
            max_concurrency=max_concurrency,
            qps_cap=qps_cap, rate_mode=rate_mode,
            adaptive_interval_s=adaptive_interval, shard_stagger_s=shard_stagger, warmup=warmup,
            seed=seed, ignore_eos=ignore_eos, stream_usage=stream_usage, temperature=temperature,
            extra_body=body, request_timeout_s=request_timeout, read_timeout_s=read_timeout,
            connect_timeout_s=connect_timeout, max_retries=max_retries,
            max_error_rate=max_error_rate, preflight=preflight, wait_for_server_s=wait_for_server,
            out_dir=str(out_dir) if out_dir else None, runs_root=str(runs_root), run_id=run_id,
            parquet=parquet, save_text=save_text,
            metric_percentiles=_floats(metric_percentiles, "--metric-percentiles") or [99.0],
            goodput=goodput_ms, num_gpus=num_gpus, label=label,
            metadata=_pairs(metadata, "--metadata", "="), progress=progress, workers=workers,
            busy_poll=busy_poll, prefix_count=prefix_count, prefix_len=prefix_len,
            block_tokens=block_tokens, turns=turns, think_time=think_time, max_turns=max_turns,
            ramp_up_s=ramp_up, rate_series=str(rate_series) if rate_series else None,
            stop_on_saturation=stop_on_saturation, max_backlog=max_backlog,
            calibrate_isl=calibrate_isl, scrape_metrics=scrape_metrics,
            scrape_interval_s=scrape_interval)
        if find_max:
            if sweep_concurrency or sweep_rate:
                raise ConfigError("give --find-max or a --sweep-*, not both")
            import asyncio

            from loadgen.findmax import FindMaxOptions, find_max_async, format_find_max
            opts = FindMaxOptions(mode=find_max, step_duration_s=step_duration,
                                  max_steps=find_max_steps, tolerance=find_max_tolerance,
                                  start=find_max_start, min_slo_attainment=slo_attainment)
            fres = asyncio.run(find_max_async(cfg, opts))
            typer.echo(format_find_max(fres))
            typer.echo(f"sweep: {fres.sweep_dir / 'sweep.json'}")
            if fres.interrupted:
                raise typer.Exit(130)
            return
        if sweep_concurrency and sweep_rate:
            raise ConfigError("give --sweep-concurrency or --sweep-rate, not both")
        if sweep_concurrency or sweep_rate:
            param = "max_concurrency" if sweep_concurrency else "request_rate"
            values = _ints(sweep_concurrency, "--sweep-concurrency") if sweep_concurrency \
                else _floats(sweep_rate, "--sweep-rate")
            sres = run_sweep(cfg, param, values)
            typer.echo(format_sweep(sres.rows))
            typer.echo(f"sweep: {sres.sweep_dir / 'sweep.json'}")
            if sres.interrupted:
                raise typer.Exit(130)
            if any(r.status != "completed" for r in sres.steps):
                raise typer.Exit(1)
            return
        cfg.resolve()  # fail on bad arguments before anything starts
        result = run_loadtest(cfg)
    except ConfigError as e:
        typer.echo(f"loadgen: error: {e}", err=True)
        raise typer.Exit(2) from None
    except PreflightError as e:
        typer.echo(f"loadgen: error: preflight: {e}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("loadgen: interrupted", err=True)
        raise typer.Exit(130) from None
    paths = {"trace": str(result.trace_path)}
    if result.summary_path:
        paths["summary"] = str(result.summary_path)
    if result.parquet_path:
        paths["parquet"] = str(result.parquet_path)
    if result.summary is not None:
        typer.echo(format_summary(result.summary, paths))
    if result.status == "interrupted":
        raise typer.Exit(130)
    if result.status != "completed":
        if result.failure_reason:
            typer.echo(f"loadgen: run failed: {result.failure_reason}", err=True)
        raise typer.Exit(1)


def serve_sim_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        help="Port; 0 = pick a free one. The bound URL is printed as "
             "'serve-sim listening on http://HOST:PORT'.")] = 8000,
    model: Annotated[str, typer.Option(help="Model name listed by /v1/models (any name is "
                                             "accepted in requests unless --strict-model).")] = "sim-model",
    strict_model: Annotated[bool, typer.Option(
        "--strict-model", help="Answer 404 to requests for any other model than --model, "
                               "like vLLM.")] = False,
    ttft_ms: Annotated[float, typer.Option(help="Time to first token, ms.")] = 50.0,
    tpot_ms: Annotated[float, typer.Option(help="Time per output token after the first, ms.")] = 10.0,
    jitter_ms: Annotated[float, typer.Option(
        help="Std dev (ms) of gaussian noise on TTFT and each token gap.")] = 0.0,
    prefill_ms_per_1k: Annotated[float, typer.Option(
        help="Extra TTFT per 1000 prompt tokens, ms.")] = 0.0,
    zero_latency: Annotated[bool, typer.Option(
        "--zero-latency", help="Stream as fast as possible (TTFT = TPOT = 0); for "
                               "client benchmarks.")] = False,
    tokens_per_chunk: Annotated[int, typer.Option(help="Tokens per SSE event.")] = 1,
    default_max_tokens: Annotated[int, typer.Option(
        help="Output tokens when a request sets no max_tokens.")] = 128,
    error_rate: Annotated[float, typer.Option(help="Fraction of requests answered 500.")] = 0.0,
    rate_limit_rate: Annotated[float, typer.Option(help="Fraction of requests answered 429.")] = 0.0,
    limit_inflight: Annotated[Optional[int], typer.Option(
        help="Answer 429 while this many requests are already in flight.")] = None,
    retry_after: Annotated[Optional[float], typer.Option(
        help="Retry-After seconds to send with 429s.")] = None,
    disconnect_rate: Annotated[float, typer.Option(
        help="Fraction of streams cut mid-way (connection dropped).")] = 0.0,
    malformed_rate: Annotated[float, typer.Option(
        help="Fraction of streams containing one non-JSON event.")] = 0.0,
    max_concurrency: Annotated[Optional[int], typer.Option(
        help="Requests served at once; more wait in a queue (like a batch limit).")] = None,
    usage: Annotated[bool, typer.Option(
        "--usage/--no-usage", help="Send the usage event when the client asks for it.")] = True,
    reject_stream_options: Annotated[bool, typer.Option(
        "--reject-stream-options", help="Answer 400 to requests with stream_options, like "
                                        "servers that do not support it.")] = False,
    close_after_response: Annotated[bool, typer.Option(
        "--close-after-response", help="Close the connection after every response without "
                                       "announcing it (no 'Connection: close'), like servers "
                                       "that do not keep connections alive.")] = False,
    idle_close_s: Annotated[Optional[float], typer.Option(
        help="Close keep-alive connections idle for this many seconds.")] = None,
    loading_s: Annotated[float, typer.Option(
        help="Answer 503 to every request (also /health and /v1/models) for this many "
             "seconds after start, like a server still loading its model.")] = 0.0,
    api_key_env: Annotated[Optional[str], typer.Option(
        help="Require 'Authorization: Bearer <value of this env var>' on completions and "
             "/v1/models (401 otherwise).")] = None,
    record_emissions: Annotated[bool, typer.Option(
        "--record-emissions", help="Keep each token event's send time (monotonic ns) per "
                                   "request id, served at /sim/emissions (benchmarks).")] = False,
    prefix_cache: Annotated[bool, typer.Option(
        "--prefix-cache", help="Automatic prefix caching: whole blocks of a prompt already seen "
                               "cost no prefill (--prefill-ms-per-1k) and usage reports them "
                               "as prompt_tokens_details.cached_tokens.")] = False,
    cache_block_tokens: Annotated[int, typer.Option(
        help="--prefix-cache block size in tokens.")] = 16,
    prompt_token_factor: Annotated[float, typer.Option(
        help="Fake tokenizer: usage.prompt_tokens = offline estimate x this factor (a real "
             "tokenizer rarely agrees with 4 characters per token).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for jitter, faults and generated text.")] = 0,
) -> None:
    """Run the simulated OpenAI-compatible server (streaming SSE with usage) until Ctrl-C.

    GET /metrics serves Prometheus gauges in vLLM's names (running, waiting, KV-cache use,
    prefix-cache hits). With --max-concurrency C and no jitter its capacity is
    C / (TTFT + (max_tokens - 1) x TPOT) requests per second.
    """
    from loadgen.sim.latency import LatencyModel
    from loadgen.sim.run import serve_forever

    lm = LatencyModel(ttft_ms=0.0 if zero_latency else ttft_ms,
                      tpot_ms=0.0 if zero_latency else tpot_ms, jitter_ms=jitter_ms,
                      prefill_ms_per_1k=prefill_ms_per_1k, tokens_per_chunk=tokens_per_chunk,
                      default_max_tokens=default_max_tokens, error_rate=error_rate,
                      rate_limit_rate=rate_limit_rate, limit_inflight=limit_inflight,
                      retry_after_s=retry_after, disconnect_rate=disconnect_rate,
                      malformed_rate=malformed_rate, max_concurrency=max_concurrency,
                      usage=usage, reject_stream_options=reject_stream_options, seed=seed,
                      close_after_response=close_after_response, idle_close_s=idle_close_s,
                      strict_model=strict_model,
                      loading_s=loading_s, prefix_cache=prefix_cache,
                      cache_block_tokens=cache_block_tokens,
                      prompt_token_factor=prompt_token_factor)
    try:
        lm.validate()
        serve_forever(lm, host=host, port=port, served_model=model, api_key_env=api_key_env,
                      record_emissions=record_emissions, announce=typer.echo)
    except (ValueError, OSError) as e:
        typer.echo(f"serve-sim: error: {e}", err=True)
        raise typer.Exit(2) from None


app = typer.Typer(name="loadgen", add_completion=False,
                  help="Load generator for OpenAI-compatible LLM endpoints.")
app.command(name="loadgen")(loadgen_command)

# `python -m loadgen.sim`: serve-sim on its own (tests and benchmarks start it this way).
sim_app = typer.Typer(name="serve-sim", add_completion=False)
sim_app.command(name="serve-sim")(serve_sim_command)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
