"""Render macros/planner.sql (and the frontier macros it calls) with plain jinja2, exactly the text dbt renders
for mart_planning__plan, so the CLI and the mart can never compute with two different formulas."""

from __future__ import annotations

from functools import lru_cache

import jinja2

from semibench_core import paths

MACRO_FILES = ("frontier_interpolation.sql", "planner.sql")


class _Namespace:
    """`semibench.<macro>` as the dbt project's macros call each other."""

    def __init__(self):
        self.module = None

    def __getattr__(self, name):
        return getattr(self.module, name)


@lru_cache(maxsize=1)
def _module():
    source = "\n".join((paths.PROJECT_DIR / "macros" / name).read_text(encoding="utf-8") for name in MACRO_FILES)
    env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)
    namespace = _Namespace()
    env.globals["semibench"] = namespace
    namespace.module = env.from_string(source).module
    return namespace.module


def render_plan_sql(points: str, scenarios: str, constants: str, gpus_per_node: str, own_runs: str,
                    own_requests: str) -> str:
    return str(_module().planner_plan(points=points, scenarios=scenarios, constants=constants,
                                      gpus_per_node=gpus_per_node, own_runs=own_runs, own_requests=own_requests))
