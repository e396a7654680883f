"""Everything the report shows, read with SQL from the published (read-only) warehouse.

Other families' marts are added in parallel (loadgen runs, trends), so every query first asks the catalog
whether its relation and columns exist: a missing mart gives an empty section with a note, never an error.
Only the InferenceMAX core (fct_inferencemax_points) is required."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from semibench.data_sources import DataSources, describe_sources
from semibench.report.planner import read_planner
from semibench.report.quality import QualityData, read_quality

# Loadgen latency metrics shown, in display order, with their axis labels.
LATENCY_METRICS = {
    "ttft_ms": "TTFT: time to first token (ms)",
    "tpot_ms": "TPOT: time per output token (ms)",
    "e2el_ms": "E2EL: end-to-end latency (ms)",
}
# ECDFs are drawn from this many quantiles per run (computed in SQL) so a run of a million requests
# costs the same few-kB SVG path as a run of fifty.
ECDF_QUANTILES = 200
MAX_LOADGEN_RUNS = 10

_TARGET_COLUMN = re.compile(r"^tput_per_gpu_at_(\d+(?:_\d+)?)_tps_user$")


class ReportDataError(RuntimeError):
    pass


@dataclass
class PointsChart:
    """One InferenceMAX chart: a model x sequence, its points and Pareto frontier per hw_key."""

    model_slug: str
    model_display_name: str
    sequence_slug: str
    isl: int | None
    osl: int | None
    points: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    frontiers: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.model_slug}--{self.sequence_slug}"

    @property
    def title(self) -> str:
        return f"{self.model_display_name} · {sequence_label(self.sequence_slug, self.isl, self.osl)}"

    @property
    def hw_keys(self) -> list[str]:
        return sorted(self.points)


@dataclass
class RollupTable:
    model_slug: str
    sequence_slug: str
    target_columns: list[tuple[str, float]]  # (column, target interactivity in tok/s/user)
    rows: list[dict]


@dataclass
class TrendSeries:
    model_slug: str
    model_display_name: str
    sequence_slug: str
    hw_key: str
    points: list[tuple[datetime, float]]


@dataclass
class Trends:
    source: str  # the relation the series were read from
    snapshot_count: int
    series: list[TrendSeries]

    def by_model(self) -> dict[str, dict[str, list[TrendSeries]]]:
        out: dict[str, dict[str, list[TrendSeries]]] = defaultdict(lambda: defaultdict(list))
        for s in self.series:
            out[s.model_slug][s.sequence_slug].append(s)
        return {m: dict(seqs) for m, seqs in out.items()}


@dataclass
class LoadgenRun:
    run_id: str
    label: str
    requests: int
    failed: int | None
    # metric -> (quantile levels, values) for the ECDF, and p50/p90/p99
    ecdf: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    percentiles: dict[str, dict[str, float | None]] = field(default_factory=dict)


@dataclass
class SweepCurve:
    """One sweep's latency-vs-load curve (mart_loadgen__sweep_curve) and its knee (mart_loadgen__knee)."""
    sweep_id: str
    param: str                       # request_rate | max_concurrency
    steps: list[dict]                # load, achieved_rate, p50/p99 TTFT and ITL, passes (sorted by load)
    knee: float | None
    first_failing: float | None
    is_simulated: bool


@dataclass
class Loadgen:
    available: bool
    note: str
    metrics: list[str] = field(default_factory=list)
    runs: list[LoadgenRun] = field(default_factory=list)
    sweeps: list[SweepCurve] = field(default_factory=list)     # latest sweeps, newest first
    unplaced: list[dict] = field(default_factory=list)         # runs not on the InferenceMAX curves, and why


@dataclass
class ReportData:
    generated_at: datetime
    published: Path
    snapshot_id: str | None
    snapshot_fetched_at: datetime | None
    snapshot_count: int
    headline: dict[str, int]
    charts: list[PointsChart]
    rollups: dict[str, RollupTable]  # by PointsChart.key
    trends: Trends
    loadgen: Loadgen
    tool_eval: list[dict]
    quality: QualityData
    sources: DataSources = field(default_factory=DataSources)  # what the page shows, as of when; what is synthetic
    planner: object = None  # semibench.report.planner.PlannerSection (None when the report data is built by hand)

    @property
    def hw_keys(self) -> list[str]:
        """Every hw_key any chart shows, so one palette covers all of them."""
        keys = {k for c in self.charts for k in c.points}
        keys |= {s.hw_key for s in self.trends.series}
        keys |= {r["hw_key"] for r in self.quality.coverage_lost}
        return sorted(keys)


def sequence_label(sequence_slug: str, isl: int | None, osl: int | None) -> str:
    if isl and osl:
        return f"ISL {_tokens(isl)} / OSL {_tokens(osl)}"
    return sequence_slug


def _tokens(n: int) -> str:
    return f"{n // 1024}k" if n % 1024 == 0 else str(n)


class Catalog:
    """Which relations and columns the warehouse has, looked up once."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.columns: dict[tuple[str, str], list[str]] = defaultdict(list)
        for schema, table, column in con.execute(
            """select table_schema, table_name, column_name from information_schema.columns
               order by table_schema, table_name, ordinal_position"""
        ).fetchall():
            self.columns[(schema, table)].append(column)

    def find(self, name: str, *, required: set[str] = frozenset()) -> tuple[str, list[str]] | None:
        """Qualified name and columns of `name` (main schema first), if it exists with `required` columns."""
        schemas = sorted((s for s, t in self.columns if t == name), key=lambda s: (s != "main", s))
        for schema in schemas:
            cols = self.columns[(schema, name)]
            if required <= set(cols):
                return f'"{schema}"."{name}"', cols
        return None


def load_report_data(published: Path, dbt_target: Path | None, *, now: datetime | None = None) -> ReportData:
    con = duckdb.connect(str(published), read_only=True)
    try:
        catalog = Catalog(con)
        if catalog.find("fct_inferencemax_points") is None:
            raise ReportDataError(f"{published}: no fct_inferencemax_points; was the warehouse built?")
        snapshot_id, fetched_at, snapshot_count = _snapshot(con, catalog)
        charts = _points_charts(con, catalog)
        return ReportData(
            generated_at=now or datetime.now(timezone.utc),
            published=published,
            snapshot_id=snapshot_id,
            snapshot_fetched_at=fetched_at,
            snapshot_count=snapshot_count,
            headline=_headline(con, catalog, charts, snapshot_count),
            charts=charts,
            rollups=_rollups(con, catalog),
            trends=_trends(con, catalog),
            loadgen=_loadgen(con, catalog),
            tool_eval=_tool_eval(con, catalog),
            quality=read_quality(con, catalog, dbt_target),
            sources=describe_sources(con),
            planner=read_planner(con, catalog),
        )
    finally:
        con.close()


def _rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _snapshot(con, catalog: Catalog) -> tuple[str | None, datetime | None, int]:
    row = con.execute(
        "select any_value(snapshot_id), max(snapshot_fetched_at) from fct_inferencemax_points").fetchone()
    snapshots = catalog.find("stg_inferencemax__snapshots")
    count = con.execute(f"select count(*) from {snapshots[0]}").fetchone()[0] if snapshots else 1
    return row[0], row[1], count


def _headline(con, catalog: Catalog, charts: list[PointsChart], snapshot_count: int) -> dict[str, int]:
    """The numbers at the top of both the HTML and the Markdown summary."""
    points, models, hws = con.execute(
        "select count(*), count(distinct model_slug), count(distinct hw_key) from fct_inferencemax_points"
    ).fetchone()
    frontier = catalog.find("int_inferencemax__pareto_frontier")
    frontier_points = con.execute(f"select count(*) from {frontier[0]}").fetchone()[0] if frontier else 0
    return {
        "points": points,
        "models": models,
        "model_sequences": len(charts),
        "hw_keys": hws,
        "frontier_points": frontier_points,
        "snapshots": snapshot_count,
    }


def _points_charts(con, catalog: Catalog) -> list[PointsChart]:
    charts: dict[tuple[str, str], PointsChart] = {}
    for r in _rows(con, """
            select model_slug, coalesce(model_display_name, model_slug) as model_display_name, sequence_slug,
                   isl, osl, hw_key, interactivity_x::double as interactivity_x, interactivity_y::double as interactivity_y
            from fct_inferencemax_points
            where interactivity_x is not null and interactivity_y is not null
            order by model_slug, isl, osl, sequence_slug, hw_key, interactivity_x"""):
        key = (r["model_slug"], r["sequence_slug"])
        chart = charts.get(key)
        if chart is None:
            chart = charts[key] = PointsChart(r["model_slug"], r["model_display_name"], r["sequence_slug"],
                                              r["isl"], r["osl"])
        chart.points.setdefault(r["hw_key"], []).append((r["interactivity_x"], r["interactivity_y"]))
    frontier = catalog.find("int_inferencemax__pareto_frontier")
    if frontier:
        for r in _rows(con, f"""
                select model_slug, sequence_slug, hw_key, interactivity_x::double as interactivity_x,
                       interactivity_y::double as interactivity_y
                from {frontier[0]} order by model_slug, sequence_slug, hw_key, frontier_rank"""):
            chart = charts.get((r["model_slug"], r["sequence_slug"]))
            if chart is not None:
                chart.frontiers.setdefault(r["hw_key"], []).append((r["interactivity_x"], r["interactivity_y"]))
    return list(charts.values())


def _rollups(con, catalog: Catalog) -> dict[str, RollupTable]:
    found = catalog.find("mart_inferencemax__hardware_rollup")
    if not found:
        return {}
    relation, columns = found
    # one column per interactivity target; the dbt var decides which exist, so read them from the catalog
    targets = sorted(((c, float(_TARGET_COLUMN.match(c).group(1).replace("_", "."))) for c in columns
                      if _TARGET_COLUMN.match(c)), key=lambda t: t[1])
    tables: dict[str, RollupTable] = {}
    for r in _rows(con, f"""select * from {relation}
                            order by model_slug, sequence_slug, rank_best_tput_per_gpu, hw_key"""):
        key = f"{r['model_slug']}--{r['sequence_slug']}"
        tables.setdefault(key, RollupTable(r["model_slug"], r["sequence_slug"], targets, [])).rows.append(r)
    return tables


def _trends(con, catalog: Catalog) -> Trends:
    """Best throughput per GPU per hw_key at each snapshot. A dedicated trends mart wins when it has the
    columns we need; otherwise the same figure is computed from the all-snapshots intermediate model."""
    for time_column in ("snapshot_fetched_at", "fetched_at", "snapshot_date"):
        mart = catalog.find("mart_inferencemax__trends",
                            required={"model_slug", "sequence_slug", "hw_key", "best_tput_per_gpu", time_column})
        if mart:
            sql = f"""select model_slug, sequence_slug, hw_key, {time_column} as observed_at,
                             best_tput_per_gpu::double as best
                      from {mart[0]} where best_tput_per_gpu is not null"""
            source = "mart_inferencemax__trends"
            break
    else:
        joined = catalog.find("int_inferencemax__points_joined")
        if not joined:
            return Trends(source="", snapshot_count=0, series=[])
        sql = f"""select model_slug, sequence_slug, hw_key, snapshot_fetched_at as observed_at,
                         max(coalesce(interactivity_y, e2e_y))::double as best
                  from {joined[0]} group by all having best is not null"""
        source = "intermediate.int_inferencemax__points_joined"
    names = dict(con.execute(
        "select distinct model_slug, coalesce(model_display_name, model_slug) from fct_inferencemax_points"
    ).fetchall())
    series: dict[tuple[str, str, str], TrendSeries] = {}
    times: set = set()
    for r in _rows(con, f"select * from ({sql}) order by model_slug, sequence_slug, hw_key, observed_at"):
        key = (r["model_slug"], r["sequence_slug"], r["hw_key"])
        if key not in series:
            series[key] = TrendSeries(r["model_slug"], names.get(r["model_slug"], r["model_slug"]),
                                      r["sequence_slug"], r["hw_key"], [])
        series[key].points.append((r["observed_at"], r["best"]))
        times.add(r["observed_at"])
    return Trends(source=source, snapshot_count=len(times), series=list(series.values()))


def _loadgen(con, catalog: Catalog) -> Loadgen:
    requests = catalog.find("fct_requests", required={"run_id"})
    if not requests:
        return Loadgen(False, "No loadgen runs yet: the warehouse has no fct_requests table.")
    relation, columns = requests
    metrics = [m for m in LATENCY_METRICS if m in columns]
    if not metrics:
        return Loadgen(False, f"fct_requests has none of the latency columns {', '.join(LATENCY_METRICS)}.")
    # latency of a failed or warm-up request is not the latency of the system under test
    where = ["true"]
    if "success" in columns:
        where.append("coalesce(success, false)")
    if "warmup" in columns:
        where.append("not coalesce(warmup, false)")
    runs = _loadgen_runs(con, catalog, relation, columns)
    if not runs:
        return Loadgen(False, "No loadgen runs yet: fct_requests is empty.")
    levels = [i / ECDF_QUANTILES for i in range(ECDF_QUANTILES + 1)]
    for run in runs:
        for m in metrics:
            values = con.execute(
                f"""select quantile_cont({m}::double, $levels), quantile_cont({m}::double, [0.5, 0.9, 0.99])
                    from {relation} where run_id = $run and {m} is not null and {' and '.join(where)}""",
                {"levels": levels, "run": run.run_id}).fetchone()
            if values[0] is not None:
                run.ecdf[m] = (levels, list(values[0]))
                run.percentiles[m] = dict(zip(("p50", "p90", "p99"), values[1]))
    return Loadgen(True, "", metrics, runs, _sweeps(con, catalog), _unplaced(con, catalog))


MAX_SWEEPS = 4


def _sweeps(con, catalog: Catalog) -> list[SweepCurve]:
    """The latest sweeps' curves; empty when the sweep marts are not built (an older warehouse)."""
    curve = catalog.find("mart_loadgen__sweep_curve", required={"sweep_id", "load", "p99_ttft_ms", "passes"})
    knee = catalog.find("mart_loadgen__knee", required={"sweep_id", "knee_load", "first_failing_load"})
    if not curve or not knee:
        return []
    knees = {r["sweep_id"]: r for r in _rows(con, f"select * from {knee[0]}")}
    latest = [r["sweep_id"] for r in _rows(con, f"""select sweep_id, max(run_id) as last_run from {curve[0]}
                                                    group by sweep_id order by last_run desc limit {MAX_SWEEPS}""")]
    out = []
    for sid in latest:
        steps = _rows(con, f"""select load, offered_rate, max_concurrency, achieved_rate, p50_ttft_ms, p99_ttft_ms,
                                      p50_itl_ms, p99_itl_ms, passes, is_closed_loop_probe, sweep_param, is_simulated
                               from {curve[0]} where sweep_id = ? and load is not null order by load""", [sid])
        if not steps:
            continue
        k = knees.get(sid, {})
        out.append(SweepCurve(sid, steps[0]["sweep_param"], steps, k.get("knee_load"), k.get("first_failing_load"),
                              any(s["is_simulated"] for s in steps)))
    return out


def _unplaced(con, catalog: Catalog) -> list[dict]:
    status = catalog.find("mart_loadgen__placement_status", required={"run_id", "is_placed", "unplaced_reason"})
    if not status:
        return []
    return _rows(con, f"""select run_id, model, isl, osl, served_isl_p50, unplaced_reason from {status[0]}
                          where not is_placed order by run_id desc limit 20""")


def _loadgen_runs(con, catalog: Catalog, requests_relation: str, request_columns: list[str]) -> list[LoadgenRun]:
    """The latest runs (by start time when fct_runs has one), labelled from whatever fct_runs describes."""
    failed = "count(*) filter (where not coalesce(success, false))" if "success" in request_columns else "null"
    counts = {r[0]: (r[1], r[2]) for r in con.execute(
        f"select run_id, count(*), {failed} from {requests_relation} group by run_id").fetchall()}
    runs_rel = catalog.find("fct_runs", required={"run_id"})
    labels: dict[str, str] = {}
    order = sorted(counts)
    if runs_rel:
        relation, columns = runs_rel
        parts = [c for c in ("source", "model", "backend", "hw_key", "label", "max_concurrency", "request_rate")
                 if c in columns]
        started = next((c for c in ("started_at", "start_time") if c in columns), None)
        for r in _rows(con, f"""select run_id{''.join(', ' + c for c in parts)}{', ' + started if started else ''}
                                from {relation} order by {started + ' desc nulls last, ' if started else ''}run_id"""):
            bits = []
            for c in parts:
                if r[c] is not None and r[c] != "":
                    bits.append(f"conc {r[c]}" if c == "max_concurrency" else
                                f"{r[c]:g} req/s" if c == "request_rate" else str(r[c]))
            labels[r["run_id"]] = " · ".join(bits)
        order = [rid for rid in labels if rid in counts] + [rid for rid in order if rid not in labels]
    else:
        order = sorted(counts, reverse=True)
    return [LoadgenRun(rid, labels.get(rid, ""), counts[rid][0], counts[rid][1]) for rid in order[:MAX_LOADGEN_RUNS]]


def _tool_eval(con, catalog: Catalog) -> list[dict]:
    found = catalog.find("agg_tool_eval_by_model",
                         required={"model_name", "tests", "success_rate", "partial_rate", "failure_rate"})
    if not found:
        return []
    return _rows(con, f"select * from {found[0]} order by success_rate desc, model_name")
