"""Answer a plan from the published (read-only) warehouse: find the published planner inputs, render the
planner SQL over them (semibench/plan/sql.py) and run it. Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from semibench.plan.prices import Price
from semibench.plan.scenario import Scenario, scenarios_relation
from semibench.plan.sql import render_plan_sql
from semibench.query import connect_read_only


class PlanError(RuntimeError):
    pass


INPUTS = ("mart_planning__config_points", "mart_planning__own_runs", "fct_requests", "inferencex_gpu_cost_power",
          "planner_gpus_per_node")


@dataclass
class PlanResult:
    columns: list[str]
    rows: list[dict]


def _relations(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> dict[str, str]:
    found = dict(con.execute(
        "select table_name, table_schema from information_schema.tables where table_name in ?", [list(names)]
    ).fetchall())
    missing = [n for n in names if n not in found]
    if missing:
        raise PlanError(f"the published warehouse has no {', '.join(missing)}: run `semibench build` "
                        f"(or `semibench run`) with this version first")
    return {n: f'"{found[n]}"."{n}"' for n in names}


def _constants(default: str, override: list[Price] | None) -> str:
    if not override:
        return default
    values = ", ".join(
        "({}, {}, {}, {}, {}, {}, {})".format(
            _text(p.gpu_key), _text(p.constant), "null" if p.value is None else repr(float(p.value)), _text(p.unit),
            _date(p.effective_from), _date(p.effective_to), _text(p.source))
        for p in override)
    # an override row replaces the default rows of its gpu_key and constant, whatever their dates
    return (f"(select gpu_key, constant, cast(value as double) as value, unit, cast(effective_from as date) as effective_from, "
            f"cast(effective_to as date) as effective_to, source from (values {values}) "
            f"as o(gpu_key, constant, value, unit, effective_from, effective_to, source) "
            f"union all select gpu_key, constant, value, unit, effective_from, effective_to, source from {default} as d "
            f"where not exists (select 1 from (values {values}) as o2(gpu_key, constant, value, unit, effective_from, "
            f"effective_to, source) where o2.gpu_key = d.gpu_key and o2.constant = d.constant))")


def _text(value) -> str:
    return "null" if value is None else "'" + str(value).replace("'", "''") + "'"


def _date(value) -> str:
    return "null" if value is None else f"date '{value.isoformat()}'"


def saved_scenario(scenario_id: str, db: Path | None = None) -> Scenario:
    """A scenario of the published mart_planning__scenarios (the saved ones mart_planning__plan plans)."""
    con = connect_read_only(db)
    try:
        rel = _relations(con, ("mart_planning__scenarios",))["mart_planning__scenarios"]
        cur = con.execute(f"select * from {rel} where scenario_id = ?", [scenario_id])
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
        if row is None:
            ids = [r[0] for r in con.execute(f"select scenario_id from {rel} order by 1").fetchall()]
            raise PlanError(f"no saved scenario {scenario_id!r} (saved: {', '.join(ids) or 'none'})")
    finally:
        con.close()
    fields = Scenario.__dataclass_fields__
    return Scenario(**{k: v for k, v in zip(names, row) if k in fields})


def plan(scenarios: list[Scenario], prices: list[Price] | None = None, db: Path | None = None) -> PlanResult:
    con = connect_read_only(db)
    try:
        rel = _relations(con, INPUTS)
        sql = render_plan_sql(
            points=rel["mart_planning__config_points"],
            scenarios=scenarios_relation(scenarios),
            constants=_constants(rel["inferencex_gpu_cost_power"], prices),
            gpus_per_node=rel["planner_gpus_per_node"],
            own_runs=rel["mart_planning__own_runs"],
            own_requests=rel["fct_requests"],
        )
        try:
            cur = con.execute(sql + "\norder by scenario_id, plan_rank nulls last, row_kind, config_label, plan_key")
        except duckdb.Error as exc:
            raise PlanError(f"planner query failed: {str(exc).splitlines()[0]}") from exc
        columns = [d[0] for d in cur.description]
        order = {s.scenario_id: i for i, s in enumerate(scenarios)}
        rows = [dict(zip(columns, r)) for r in cur.fetchall()]
        # scenarios in the order given (a sweep reads from loose to tight); rows keep the SQL's order within one
        rows.sort(key=lambda r: order[r["scenario_id"]])
        return PlanResult(columns, rows)
    finally:
        con.close()
