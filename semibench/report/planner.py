"""The report's planner section: the plan of every saved scenario (mart_planning__plan) and, per scenario's
model x ISL/OSL, cost per million output tokens vs the interactivity target, one line per hardware (its
cheapest config at each target) with your own loadgen runs as points. The curves come from the same planner
SQL `semibench plan` runs (semibench/plan/sql.py), over a grid of targets."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from semibench.plan.scenario import Scenario, scenarios_relation
from semibench.plan.sql import render_plan_sql

TARGETS = (5, 10, 15, 20, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250)
TABLE_ROWS = 10
# relation -> columns the section reads: a warehouse without them (an older build, another family's mart in
# another shape) gets a note instead of the section, never a failed report
INPUTS = {
    "mart_planning__plan": {"scenario_id", "plan_rank"},
    "mart_planning__scenarios": {"scenario_id", "model", "isl", "osl", "rank_tier"},
    "mart_planning__config_points": {"config_key", "interactivity_x"},
    "mart_planning__own_runs": {"run_id", "endpoint_key", "gpu_key", "num_gpus"},
    "fct_requests": {"run_id", "is_main_phase", "is_success", "interactivity", "ttft_ms", "e2el_ms", "input_tokens",
                     "output_tokens"},
    "fct_runs": {"run_id", "median_interactivity", "output_throughput"},
    "inferencex_gpu_cost_power": {"gpu_key", "constant", "value", "effective_from"},
    "planner_gpus_per_node": {"gpu_key", "gpus_per_node"},
}


@dataclass
class CostCurve:
    model: str
    isl: int
    osl: int
    tier: str
    lines: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # hardware -> (target, $/M out)
    own_points: list[tuple[str, float, float]] = field(default_factory=list)  # (label, interactivity, $/M out)
    own_unpriced: int = 0

    @property
    def title(self) -> str:
        return f"{self.model} · ISL {self.isl} / OSL {self.osl}"


@dataclass
class PlannerSection:
    available: bool
    note: str = ""
    scenarios: list[dict] = field(default_factory=list)   # scenario columns + 'rows' (the top ranked rows)
    curves: list[CostCurve] = field(default_factory=list)


def read_planner(con, catalog) -> PlannerSection:
    found = {name: catalog.find(name, required=columns) for name, columns in INPUTS.items()}
    missing = [n for n, f in found.items() if f is None]
    if missing:
        return PlannerSection(False, f"No planner section: {', '.join(missing)} missing or in another shape "
                                     f"(run `semibench build` with this version).")
    rel = {n: f[0] for n, f in found.items()}
    try:
        return _read(con, rel)
    except duckdb.Error as exc:
        return PlannerSection(False, f"No planner section: {str(exc).splitlines()[0]}")


def _read(con, rel: dict) -> PlannerSection:
    scenarios = _rows(con, f"select * from {rel['mart_planning__scenarios']} order by scenario_id")
    for s in scenarios:
        s["rows"] = _rows(con, f"""select * from {rel['mart_planning__plan']} where scenario_id = ? and plan_rank is not null
                                  order by plan_rank, row_kind, config_label limit {TABLE_ROWS}""", [s["scenario_id"]])
        s["counts"] = dict(con.execute(f"""select plan_rank is not null, count(*) from {rel['mart_planning__plan']}
                                            where scenario_id = ? group by 1""", [s["scenario_id"]]).fetchall())
    curves = []
    for (model, isl, osl, tier) in dict.fromkeys((s["model"], s["isl"], s["osl"], s["rank_tier"]) for s in scenarios):
        curves.append(_curve(con, rel, model, isl, osl, tier))
    return PlannerSection(True, scenarios=scenarios, curves=curves)


def _curve(con, rel: dict, model: str, isl: int, osl: int, tier: str) -> CostCurve:
    grid = [Scenario(scenario_id=str(t), model=model, isl=isl, osl=osl, min_interactivity=float(t), demand_rps=1.0,
                     rank_tier=tier) for t in TARGETS]
    sql = render_plan_sql(points=rel["mart_planning__config_points"], scenarios=scenarios_relation(grid),
                          constants=rel["inferencex_gpu_cost_power"], gpus_per_node=rel["planner_gpus_per_node"],
                          own_runs=rel["mart_planning__own_runs"], own_requests=rel["fct_requests"])
    # at capacity: the per-GPU rate, so the curve does not depend on a demand's rounding to whole replicas
    rows = con.execute(f"""select hardware, min_interactivity, min(usd_per_m_output_tokens_at_capacity_{tier})
                           from ({sql}) as plan
                           where row_kind = 'inferencex' and plan_rank is not null
                               and usd_per_m_output_tokens_at_capacity_{tier} is not null
                           group by all order by 1, 2""").fetchall()
    curve = CostCurve(model, isl, osl, tier)
    for hardware, target, cost in rows:
        curve.lines.setdefault(hardware, []).append((float(target), float(cost)))
    own = con.execute(f"""
        select own.endpoint_label, runs.median_interactivity,
               price.value / (runs.output_throughput / own.num_gpus * 3600 / 1e6) as usd_per_m
        from {rel['mart_planning__own_runs']} as own
        inner join {rel['fct_runs']} as runs on own.run_id = runs.run_id
        left join (select gpu_key, arg_max(value, effective_from) as value from {rel['inferencex_gpu_cost_power']}
                   where constant = 'usd_per_gpu_hour_{tier}' and value is not null and effective_from <= current_date
                       and (effective_to is null or current_date < effective_to) group by gpu_key) as price
            on own.gpu_key = price.gpu_key
        where (lower(own.model_key) = lower(?) or lower(own.model_display_name) = lower(?))
            and own.isl = ? and own.osl = ? and runs.median_interactivity > 0 and runs.output_throughput > 0
        order by 1""", [model, model, isl, osl]).fetchall()
    for label, x, y in own:
        if y is None:
            curve.own_unpriced += 1
        else:
            curve.own_points.append((label, float(x), float(y)))
    return curve


def _rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
