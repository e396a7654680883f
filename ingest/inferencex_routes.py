"""What InferenceX serves and how its files are named: API routes, their URLs and file names, and the
tables of its database dump. Pure naming; no I/O."""

from __future__ import annotations

from urllib.parse import urlencode

API_PREFIX = "/api/v1/"
# route -> record kind of its records (workflow-info is an object holding two kinds, see RECORD_KINDS)
ARRAY_ROUTES = {
    "benchmarks": "benchmarks",
    "benchmarks/history": "benchmarks_history",
    "availability": "availability",
    "evaluations": "evaluations",
    "reliability": "reliability",
}
WORKFLOW_INFO = "workflow-info"
# workflow-info answers {"runs": [...], "changelogs": [...]}
WORKFLOW_INFO_PARTS = {"runs": "workflow_runs", "changelogs": "changelog_entries"}
# The shared fixture layout: one file per route (shared/inferencemax/api_v1_fixtures/).
FIXTURE_FILES = {
    "benchmarks.json": "benchmarks",
    "benchmarks-history.json": "benchmarks/history",
    "availability.json": "availability",
    "evaluations.json": "evaluations",
    "reliability.json": "reliability",
    "workflow-info.json": WORKFLOW_INFO,
}
# The weekly db-dump release: one JSON array per table (InferenceX-app packages/constants TABLE_INSERT_ORDER).
DUMP_TABLES = ("configs", "server_logs", "workflow_runs", "benchmark_results", "eval_results", "run_stats",
               "changelog_entries", "availability")
# A directory is a dump when it holds these; the other tables are optional (a dump may leave out server_logs).
DUMP_REQUIRED = ("configs.json", "workflow_runs.json", "benchmark_results.json")


def dump_route(table: str) -> str:
    return f"dump/{table}"


def record_kind(route: str, part: str | None = None) -> str:
    if route == WORKFLOW_INFO:
        return WORKFLOW_INFO_PARTS[part]
    if route.startswith("dump/"):
        return "dump_" + route.split("/", 1)[1]
    return ARRAY_ROUTES[route]


def url_for(base_url: str, route: str, params: dict[str, str]) -> str:
    query = urlencode(sorted(params.items()))
    return base_url.rstrip("/") + API_PREFIX + route + (f"?{query}" if query else "")


def file_name_for(route: str, params: dict[str, str]) -> str:
    """Archive file name of one response: the route, then its parameters in a fixed order, so the same
    request always maps to the same name (`benchmarks-history__isl=1024__model=gpt-oss-120b__osl=1024.json`)."""
    stem = route.replace("/", "-")
    for key, value in sorted(params.items()):
        safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in str(value))
        stem += f"__{key}={safe}"
    return stem + ".json"
