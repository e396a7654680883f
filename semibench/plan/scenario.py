"""A planning scenario as the planner SQL reads it (the columns of seeds/planner_scenarios.csv), and
`--sweep name=v1,v2,...`."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

TIERS = ("hyperscaler", "neocloud", "rental")
# --sweep names -> Scenario fields
SWEEPABLE = {"min-interactivity": "min_interactivity", "max-ttft-p99": "max_ttft_p99_s",
             "max-e2el-p99": "max_e2el_p99_s", "demand-rps": "demand_rps"}
SQL_TYPES = {"scenario_id": "varchar", "model": "varchar", "isl": "integer", "osl": "integer",
             "min_interactivity": "double", "max_ttft_p99_s": "double", "max_e2el_p99_s": "double",
             "min_eval_score": "double", "demand_rps": "double", "demand_output_tokens_per_day": "double",
             "own_num_gpus": "integer", "rank_tier": "varchar", "prices_as_of": "date", "description": "varchar"}


class ScenarioError(ValueError):
    pass


@dataclass(frozen=True)
class Scenario:
    scenario_id: str
    model: str
    isl: int
    osl: int
    min_interactivity: float | None = None
    max_ttft_p99_s: float | None = None
    max_e2el_p99_s: float | None = None
    min_eval_score: float | None = None
    demand_rps: float | None = None
    demand_output_tokens_per_day: float | None = None
    own_num_gpus: int | None = None
    rank_tier: str = "hyperscaler"
    prices_as_of: date | None = None
    description: str | None = None

    def check(self) -> "Scenario":
        if (self.demand_rps is None) == (self.demand_output_tokens_per_day is None):
            raise ScenarioError("give exactly one demand: --demand-rps or --demand-tokens-per-day")
        for name in ("demand_rps", "demand_output_tokens_per_day"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ScenarioError(f"{name.replace('_', '-')} must be > 0, got {value}")
        if self.isl <= 0 or self.osl <= 0:
            raise ScenarioError(f"--isl and --osl must be > 0, got {self.isl}/{self.osl}")
        if self.rank_tier not in TIERS:
            raise ScenarioError(f"--rank-by {self.rank_tier!r}: choose one of {', '.join(TIERS)}")
        if self.own_num_gpus is not None and self.own_num_gpus <= 0:
            raise ScenarioError(f"--num-gpus must be > 0, got {self.own_num_gpus}")
        return self


def parse_sweep(text: str) -> tuple[str, list[float]]:
    """'min-interactivity=10,20,50' -> ('min_interactivity', [10.0, 20.0, 50.0])."""
    name, sep, values = text.partition("=")
    if not sep or name.strip() not in SWEEPABLE:
        raise ScenarioError(f"--sweep {text!r}: expected NAME=V1,V2,... with NAME one of {', '.join(SWEEPABLE)}")
    try:
        numbers = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        raise ScenarioError(f"--sweep {text!r}: values must be numbers") from None
    if not numbers:
        raise ScenarioError(f"--sweep {text!r}: no values")
    return SWEEPABLE[name.strip()], numbers


def swept(base: Scenario, field: str, values: list[float]) -> list[Scenario]:
    label = next(k for k, v in SWEEPABLE.items() if v == field)
    return [replace(base, scenario_id=f"{label}={value:g}", **{field: value}).check() for value in values]


def _literal(value, sql_type: str) -> str:
    if value is None:
        return f"cast(null as {sql_type})"
    if sql_type == "varchar" or sql_type == "date":
        return f"cast('{str(value).replace(chr(39), chr(39) * 2)}' as {sql_type})"
    return f"cast({float(value)!r} as {sql_type})" if sql_type == "double" else f"cast({int(value)} as {sql_type})"


def scenarios_relation(scenarios: list[Scenario]) -> str:
    """The scenarios as a parenthesised SELECT the planner SQL can read like a table."""
    selects = []
    for s in scenarios:
        cols = [f"{_literal(getattr(s, f.name), SQL_TYPES[f.name])} as {f.name}" for f in fields(s)]
        selects.append("select " + ", ".join(cols))
    return "(" + " union all ".join(selects) + ")"
