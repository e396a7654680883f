"""Turn ReportData into the HTML report (charts inline as SVG) and the Markdown summary, via the jinja2
templates shipped in semibench/report/templates/."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from semibench.data_sources import PUBLISHED_NOTE
from semibench.report import plots
from semibench.report.data import LATENCY_METRICS, ReportData, sequence_label

HTML_NAME = "report.html"
MARKDOWN_NAME = "report.md"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("semibench.report", "templates"),
        # HTML escapes every value (model names and dbt messages are data); Markdown has its own filter
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,  # a typo in a template fails the render instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=fmt_number, pct=fmt_percent, when=fmt_when, md=md_cell)
    return env


def fmt_number(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and digits == 0 and abs(value) < 100:
        return f"{value:,.1f}"
    return f"{value:,.{digits}f}"


def fmt_percent(value) -> str:
    return "–" if value is None else f"{100 * float(value):.1f}%"


def fmt_when(value) -> str:
    """Times as 'YYYY-MM-DD HH:MM:SS UTC'. The warehouse stores naive UTC timestamps (the ingesters convert);
    dbt writes ISO strings with a Z."""
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def md_cell(value) -> str:
    """A value safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def chart_id(*parts: str) -> str:
    return "-".join(plots._safe_id(p) for p in parts)


def build_context(data: ReportData) -> dict:
    styles = plots.hw_styles(data.hw_keys)
    seq_labels = {c.sequence_slug: sequence_label(c.sequence_slug, c.isl, c.osl) for c in data.charts}
    charts = []
    for c in data.charts:
        cid = chart_id("chart", c.model_slug, c.sequence_slug)
        charts.append({
            "id": cid,
            "chart": c,
            "svg": Markup(plots.points_chart(c, styles, cid)),
            "rollup": data.rollups.get(c.key),
        })
    trends = []
    if data.trends.snapshot_count >= 2:
        for model, by_seq in data.trends.by_model().items():
            name = next(iter(by_seq.values()))[0].model_display_name
            cid = chart_id("trend", model)
            trends.append({"id": cid, "model": name, "svg": Markup(
                plots.trend_chart(name, by_seq, seq_labels, styles, cid))})
    latency = [{"metric": m, "label": LATENCY_METRICS[m], "id": chart_id("latency", m),
                "svg": Markup(plots.latency_ecdf(m, data.loadgen.runs, chart_id("latency", m)))}
               for m in data.loadgen.metrics if any(m in r.ecdf for r in data.loadgen.runs)]
    tool_svg = Markup(plots.tool_eval_chart(data.tool_eval, "tool-eval")) if data.tool_eval else None
    plan_charts = []
    if data.planner is not None and data.planner.available:
        plan_styles = plots.hw_styles(sorted({hw for c in data.planner.curves for hw in c.lines}))
        for c in data.planner.curves:
            cid = chart_id("plan-cost", c.model, str(c.isl), str(c.osl), c.tier)
            plan_charts.append({"id": cid, "curve": c, "svg": Markup(plots.planner_cost_chart(c, plan_styles, cid))})
    sweeps = [{"sweep": sw, "id": chart_id("sweep", sw.sweep_id),
               "svg": Markup(plots.latency_vs_load(sw, chart_id("sweep", sw.sweep_id)))}
              for sw in data.loadgen.sweeps]
    q = data.quality
    changes = _trend_changes(data)
    return {
        "d": data,
        "q": q,
        "charts": charts,
        "trends": trends,
        "latency": latency,
        "sweeps": sweeps,
        "tool_svg": tool_svg,
        "planner": data.planner,
        "plan_charts": plan_charts,
        "hw_colours": [(k, plots.css_colour(styles[k][0])) for k in data.hw_keys],
        "hw_colour_of": {k: plots.css_colour(styles[k][0]) for k in data.hw_keys},
        "trend_changes": [t for t in changes if t["change"]],
        "trend_unchanged": sum(1 for t in changes if not t["change"]),
        "tests_passed": q.node_counts.get("pass", 0),
        "html_name": HTML_NAME,
        "published_note": PUBLISHED_NOTE,
        "log_span": plots.LOG_SPAN,
    }


def _trend_changes(data: ReportData) -> list[dict]:
    """First vs latest snapshot's best throughput per GPU, for the Markdown summary's trend table."""
    out = []
    for s in data.trends.series:
        first, last = s.points[0][1], s.points[-1][1]
        if len(s.points) >= 2 and first:
            out.append({"series": s, "first": first, "last": last, "change": (last - first) / first})
    return sorted(out, key=lambda t: -abs(t["change"]))


def render(data: ReportData) -> tuple[str, str]:
    """(html, markdown) for the same data."""
    env = _environment()
    context = build_context(data)
    return env.get_template("report.html").render(context), env.get_template("report.md").render(context)
