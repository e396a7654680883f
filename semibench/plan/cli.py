"""`semibench plan`: which hardware, how many GPUs, at what cost, for a model and SLO."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer

from semibench.plan.output import FORMATS, render
from semibench.plan.prices import PriceSeedError, read_price_seed
from semibench.plan.run import PlanError, plan, saved_scenario
from semibench.plan.scenario import TIERS, Scenario, ScenarioError, parse_sweep, swept
from semibench.publish import PublishError
from semibench.query import QueryError


def _fail(message: str, code: int) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def plan_command(
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Model: InferenceX display name (DeepSeek-R1-0528, gpt-oss-120b) or key (dsr1, gptoss120b)."),
    isl: Optional[int] = typer.Option(None, "--isl", help="Input sequence length, tokens (InferenceX sequences: 1024 or 8192)."),
    osl: Optional[int] = typer.Option(None, "--osl", help="Output sequence length, tokens (1024 or 8192)."),
    min_interactivity: Optional[float] = typer.Option(None, "--min-interactivity", help="SLO: at least this many output tok/s per user (median interactivity = 1000 / TPOT ms). Omitted = any: each config's highest-throughput point."),
    max_ttft_p99: Optional[float] = typer.Option(None, "--max-ttft-p99", help="SLO: p99 time to first token at most this many SECONDS (points without a p99 TTFT are left out)."),
    max_e2el_p99: Optional[float] = typer.Option(None, "--max-e2el-p99", help="SLO: p99 end-to-end latency at most this many SECONDS."),
    min_eval_score: Optional[float] = typer.Option(None, "--min-eval-score", help="Minimum gsm8k score (0-1) where the config has an eval; configs without one are kept and say so."),
    demand_rps: Optional[float] = typer.Option(None, "--demand-rps", help="Demand in requests/s (each request generates OSL output tokens)."),
    demand_tokens_per_day: Optional[float] = typer.Option(None, "--demand-tokens-per-day", help="Demand in OUTPUT tokens per day (instead of --demand-rps)."),
    num_gpus: Optional[int] = typer.Option(None, "--num-gpus", help="GPUs of your own endpoint (its loadgen runs of the same model and ISL/OSL become a row); overrides the runs' recorded count."),
    rank_by: str = typer.Option("hyperscaler", "--rank-by", help=f"Cost model ranked by: {', '.join(TIERS)} ($/GPU-hour of hyperscaler-owned, neocloud-owned, 3-year rental)."),
    price_seed: Optional[Path] = typer.Option(None, "--price-seed", help="CSV in the columns of seeds/inferencex_gpu_cost_power.csv (gpu_key,constant,value,unit,effective_from,effective_to,source); its rows replace the default prices of the same gpu_key and constant.", dir_okay=False),
    prices_as_of: Optional[str] = typer.Option(None, "--prices-as-of", help="Use the prices in effect on this date, YYYY-MM-DD (default: today)."),
    scenario: Optional[str] = typer.Option(None, "--scenario", help="Plan a saved scenario (seeds/planner_scenarios.csv, as published) instead of --model/--isl/...: the same rows as mart_planning__plan."),
    sweep: Optional[str] = typer.Option(None, "--sweep", help="Plan once per value, e.g. min-interactivity=10,20,50,100 (also max-ttft-p99, max-e2el-p99, demand-rps), and summarise the best row per value."),
    fmt: str = typer.Option("table", "--format", "-f", help=f"Output: {', '.join(FORMATS)}. table/markdown show the ranked rows; csv/json every row and column."),
    top: int = typer.Option(15, "--top", help="Ranked rows shown per scenario by table/markdown (0 = all)."),
    db: Optional[Path] = typer.Option(None, "--db", help="DuckDB file to read, opened read-only (default: the published warehouse).", dir_okay=False),
    timing: bool = typer.Option(False, "--timing", help="Print the query time to stderr."),
) -> None:
    """Plan capacity and cost from the published warehouse (read-only): for every InferenceX config of the model and ISL/OSL, and your own loadgen endpoint, the throughput per GPU at the SLO (read off the config's Pareto frontier of the points meeting the latency SLOs: linear interpolation, never extrapolated), GPUs and nodes for the demand, $/hour and $/M output tokens under each cost model, kW and J/token, ranked.

    Exit codes: 0 ok, 1 failed (no published warehouse, bad price seed), 2 usage (bad or missing option)."""
    if fmt not in FORMATS:
        _fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}", 2)
    try:
        as_of = None
        if prices_as_of:
            from datetime import date

            try:
                as_of = date.fromisoformat(prices_as_of)
            except ValueError:
                raise ScenarioError(f"--prices-as-of {prices_as_of!r}: not a YYYY-MM-DD date") from None
        if scenario:
            base = saved_scenario(scenario, db)
        else:
            missing = [name for name, value in (("--model", model), ("--isl", isl), ("--osl", osl)) if value is None]
            if missing:
                raise ScenarioError(f"missing {', '.join(missing)} (or name a saved --scenario)")
            base = Scenario(scenario_id="cli", model=model, isl=isl, osl=osl, min_interactivity=min_interactivity,
                            max_ttft_p99_s=max_ttft_p99, max_e2el_p99_s=max_e2el_p99, min_eval_score=min_eval_score,
                            demand_rps=demand_rps, demand_output_tokens_per_day=demand_tokens_per_day,
                            own_num_gpus=num_gpus, rank_tier=rank_by, prices_as_of=as_of)
        base = base.check()
        scenarios = swept(base, *parse_sweep(sweep)) if sweep else [base]
    except ScenarioError as exc:
        _fail(str(exc), 2)
    except (PlanError, QueryError, PublishError) as exc:
        _fail(str(exc), 1)
    try:
        prices = read_price_seed(price_seed) if price_seed else None
        started = time.perf_counter()
        result = plan(scenarios, prices, db)
        elapsed = time.perf_counter() - started
    except (PriceSeedError, PlanError, QueryError, PublishError) as exc:
        _fail(str(exc), 1)
    if not result.rows:
        _fail(f"no InferenceX config or own run of model {base.model!r} at {base.isl}/{base.osl} in the published "
              f"warehouse (`semibench sql \"select distinct model, model_display_name, isl, osl from "
              f"mart_planning__config_points\"` lists what there is)", 1)
    render(result, fmt, top or None, bool(sweep))
    if timing:
        print(f"planned {len(scenarios)} scenario(s), {len(result.rows)} rows in {elapsed * 1000:.0f} ms", file=sys.stderr)
