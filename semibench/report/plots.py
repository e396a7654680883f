"""Report charts: matplotlib figures rendered to inline SVG strings.

Figures are built with matplotlib.figure.Figure, not pyplot, so no GUI backend or global figure state is
involved (the report also renders inside `semibench run`). Text stays text in the SVG (svg.fonttype
'none'): it is selectable, searchable, small, and the tests can read a chart's legend from the markup."""

from __future__ import annotations

import io
import re

import matplotlib
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from semibench.report.chart_cache import cached
from semibench.report.data import LATENCY_METRICS, LoadgenRun, PointsChart, SweepCurve, TrendSeries

# Up to 20 hardware keys get well-separated qualitative colours (tab10, then tab20's light shades); a
# marker shape per key keeps series apart for colour-blind readers and in greyscale prints.
_PALETTE = [matplotlib.colormaps["tab10"](i) for i in range(10)] + \
           [matplotlib.colormaps["tab20"](2 * i + 1) for i in range(10)]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]
# A axis whose data spans more than this factor (about 1.3 decades) gets a log scale so that small
# values are not squashed against the axis.
LOG_SPAN = 20.0

_RC = {
    "svg.fonttype": "none",
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}

HwStyle = tuple[tuple, str]  # (colour, marker)


def hw_styles(hw_keys: list[str]) -> dict[str, HwStyle]:
    """One colour + marker per hw_key, assigned in sorted order so every chart of a report (and every
    report over the same set of keys) draws a given key the same way."""
    styles = {}
    for i, key in enumerate(sorted(hw_keys)):
        colour = _PALETTE[i] if i < len(_PALETTE) else matplotlib.colormaps["hsv"]((i * 0.618) % 1.0)
        styles[key] = (colour, _MARKERS[i % len(_MARKERS)])
    return styles


def css_colour(colour: tuple) -> str:
    return matplotlib.colors.to_hex(colour)


def spans_decades(values) -> bool:
    positive = [v for v in values if v is not None and v > 0]
    return bool(positive) and min(positive) * LOG_SPAN < max(positive)


def human_number(value: float, _pos=None) -> str:
    """Tick labels: 1,500 -> 1.5k, 12,000 -> 12k, 0.25 -> 0.25."""
    if value == 0:
        return "0"
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _set_scales(ax, xs, ys) -> None:
    # the public setters first (they also reset locators), then our tick formatting
    if spans_decades(xs):
        ax.set_xscale("log")
    if spans_decades(ys):
        ax.set_yscale("log")
    for axis, values in ((ax.xaxis, xs), (ax.yaxis, ys)):
        if spans_decades(values):
            axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.set_minor_formatter(ticker.NullFormatter())
        axis.set_major_formatter(ticker.FuncFormatter(human_number))


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text)


def to_svg(fig: Figure, chart_id: str, label: str) -> str:
    """The figure as an <svg> element for inlining in HTML.

    Several SVGs share one HTML document, so every id (and every reference to one) is prefixed with the
    chart id; the hash salt makes marker/clip ids deterministic, so the same data renders the same bytes.
    The fixed width/height are dropped (the viewBox stays) so CSS can scale the chart to its column."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": chart_id}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    # the RDF metadata block only names its vocabularies by URL: dropping it keeps the page free of links
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{chart_id}-\1)', svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{chart_id}-\1"', svg)
    head_end = svg.index(">")
    width = re.search(r'\swidth="([^"]*)"', svg[:head_end]).group(1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    # scale down to narrow screens, but never up: a small figure blown up to the column has giant text
    head += f' class="chart-svg" style="max-width: {width}" role="img" aria-label="{_xml_attr(label)}"'
    return head + svg[head_end:]


def _xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


@cached
def points_chart(chart: PointsChart, styles: dict[str, HwStyle], chart_id: str) -> str:
    """Throughput per GPU vs interactivity for one model x sequence: every point coloured by hw_key and
    each hw_key's Pareto frontier as a line through its frontier points (the InferenceMAX chart)."""
    with matplotlib.rc_context(_RC):
        fig = _figure(9, 5.2)
        ax = fig.add_subplot()
        xs, ys, handles = [], [], []
        for hw in chart.hw_keys:
            colour, marker = styles[hw]
            px, py = zip(*chart.points[hw])
            xs += px
            ys += py
            ax.scatter(px, py, color=colour, marker=marker, s=26, alpha=0.75, linewidths=0.4,
                       edgecolors="white", zorder=3, gid=f"points-{_safe_id(hw)}")
            if hw in chart.frontiers:
                fx, fy = zip(*chart.frontiers[hw])
                ax.plot(fx, fy, color=colour, linewidth=1.8, zorder=2, gid=f"frontier-{_safe_id(hw)}")
            handles.append(Line2D([], [], color=colour, marker=marker, markersize=6, linewidth=1.8, label=hw))
        handles.append(Line2D([], [], color="0.45", linewidth=1.8, label="line: Pareto frontier"))
        _set_scales(ax, xs, ys)
        ax.set_xlabel("Interactivity (tok/s/user) → better")
        ax.set_ylabel("Throughput per GPU (tok/s/GPU) → better")
        legend = fig.legend(handles=handles, loc="outside right upper", title="hwKey", alignment="left")
        legend.set_gid("legend")
        return to_svg(fig, chart_id, f"{chart.title}: throughput per GPU vs interactivity by hwKey")


@cached
def trend_chart(model_display_name: str, by_sequence: dict[str, list[TrendSeries]], seq_labels: dict[str, str],
                styles: dict[str, HwStyle], chart_id: str) -> str:
    """Best throughput per GPU per hw_key over snapshots: one panel per sequence of a model."""
    sequences = list(by_sequence)
    # narrower than 4 inches per panel would make the text too small once the SVG is scaled to the page
    with matplotlib.rc_context(_RC | {"font.size": 11}):
        fig = _figure(max(7.0, min(3.4 * len(sequences) + 1.6, 12)), 4.0)
        axes = fig.subplots(1, len(sequences), squeeze=False)[0]
        keys: set[str] = set()
        for ax, seq in zip(axes, sequences):
            ys: list[float] = []
            for s in sorted(by_sequence[seq], key=lambda s: s.hw_key):
                colour, marker = styles[s.hw_key]
                t, v = zip(*s.points)
                ys += v
                # markers only where few snapshots: on a daily year they would hide the line
                ax.plot(t, v, color=colour, marker=marker if len(t) <= 30 else None, markersize=5,
                        linewidth=1.6, gid=f"trend-{_safe_id(seq)}-{_safe_id(s.hw_key)}")
                keys.add(s.hw_key)
            if spans_decades(ys):
                ax.set_yscale("log")
                ax.yaxis.set_minor_formatter(ticker.NullFormatter())
            ax.yaxis.set_major_formatter(ticker.FuncFormatter(human_number))
            locator = mdates.AutoDateLocator(maxticks=5)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            ax.set_title(seq_labels.get(seq, seq), loc="left", fontsize=11)
        axes[0].set_ylabel("best tok/s/GPU")
        fig.suptitle(f"{model_display_name}: best tok/s/GPU per snapshot", x=0.01, ha="left", fontweight="bold")
        handles = [Line2D([], [], color=styles[k][0], marker=styles[k][1], linewidth=1.6, label=k)
                   for k in sorted(keys)]
        fig.legend(handles=handles, loc="outside right upper", title="hwKey", alignment="left").set_gid("legend")
        return to_svg(fig, chart_id, f"{model_display_name}: best throughput per GPU per hwKey over snapshots")


@cached
def latency_ecdf(metric: str, runs: list[LoadgenRun], chart_id: str) -> str:
    """Distribution of one latency metric for each loadgen run, as ECDFs on shared axes (a histogram per
    run would need as many charts as runs and hides tails; an ECDF shows the median and p99 directly)."""
    with matplotlib.rc_context(_RC):
        fig = _figure(9, 4.6 + 0.2 * ((len(runs) + 1) // 2))
        ax = fig.add_subplot()
        colours = matplotlib.colormaps["tab10"]
        values: list[float] = []
        for i, run in enumerate(r for r in runs if metric in r.ecdf):
            levels, v = run.ecdf[metric]
            values += v
            ax.plot(v, levels, drawstyle="steps-post", color=colours(i % 10), linewidth=1.6,
                    label=_short(run.run_id) + (f" · {run.label}" if run.label else ""),
                    gid=f"ecdf-{_safe_id(run.run_id)}")
        if spans_decades(values):
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(human_number))
        ax.set_ylim(0, 1.0)
        ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
        for q in (0.5, 0.99):
            ax.axhline(q, color="0.6", linewidth=0.8, linestyle=":")
        ax.set_xlabel(LATENCY_METRICS[metric])
        ax.set_ylabel("requests at or below")
        ax.set_title(LATENCY_METRICS[metric].split(":")[0] + " distribution per run", loc="left")
        # run labels are long: below the axes they do not squeeze the plot
        fig.legend(loc="outside lower center", ncols=min(2, max(1, len(runs))), title="run").set_gid("legend")
        return to_svg(fig, chart_id, f"{metric} ECDF per loadgen run")


@cached
def latency_vs_load(sweep: SweepCurve, chart_id: str) -> str:
    """A sweep's p50/p99 TTFT and p99 ITL against the load offered, failing steps hollow, the knee a
    vertical line: where latency leaves its floor is where the server stops keeping up."""
    rate = sweep.param == "request_rate"
    with matplotlib.rc_context(_RC):
        fig = _figure(9, 4.6)
        ax = fig.add_subplot()
        xs = [s["load"] for s in sweep.steps]
        for key, label, colour in (("p50_ttft_ms", "TTFT p50", "#1f77b4"), ("p99_ttft_ms", "TTFT p99", "#d62728"),
                                   ("p99_itl_ms", "ITL p99", "#2ca02c")):
            ys = [s[key] for s in sweep.steps]
            ax.plot(xs, ys, color=colour, linewidth=1.4, label=label, gid=f"{key}-{_safe_id(sweep.sweep_id)}")
            for s, y in zip(sweep.steps, ys):
                if y is not None:
                    ax.plot([s["load"]], [y], marker="o", color=colour,
                            markerfacecolor=colour if s["passes"] else "white", markersize=6)
        ys_all = [s[k] for s in sweep.steps for k in ("p50_ttft_ms", "p99_ttft_ms", "p99_itl_ms") if s[k]]
        if spans_decades(ys_all):
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(ticker.NullFormatter())
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(human_number))
        if sweep.knee is not None:
            ax.axvline(sweep.knee, color="0.2", linestyle="--", linewidth=1.2,
                       label=f"knee {sweep.knee:.3g}" + (" req/s" if rate else ""), gid="knee")
        ax.set_xlabel("offered load (requests/s)" if rate else "concurrency (requests in flight)")
        ax.set_ylabel("latency (ms)")
        title = f"Latency vs load · {_short(sweep.sweep_id)}" + (" · simulated" if sweep.is_simulated else "")
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", fontsize=8)
        return to_svg(fig, chart_id, f"latency vs load of sweep {sweep.sweep_id}")


@cached
def tool_eval_chart(rows: list[dict], chart_id: str) -> str:
    """Full / partial success and failure shares per model, as stacked horizontal bars."""
    rows = list(reversed(rows))  # best at the top
    with matplotlib.rc_context(_RC | {"axes.grid": False}):
        fig = _figure(9, 0.42 * len(rows) + 1.6)
        ax = fig.add_subplot()
        names = [r["model_name"] for r in rows]
        left = [0.0] * len(rows)
        for column, label, colour in (("success_rate", "full success", "#2e9d5a"),
                                      ("partial_rate", "partial", "#f0b429"),
                                      ("failure_rate", "failure", "#d64545")):
            widths = [float(r[column] or 0) for r in rows]  # float: a mart may hand back Decimal
            ax.barh(names, widths, left=left, color=colour, label=label, height=0.7, gid=f"bar-{column}")
            left = [a + b for a, b in zip(left, widths)]
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(ticker.PercentFormatter(1.0))
        ax.set_title("Tool-use evaluation: outcome of each test, per model", loc="left")
        fig.legend(loc="outside right upper", alignment="left").set_gid("legend")
        return to_svg(fig, chart_id, "tool-use success rates per model")


def _short(run_id: str) -> str:
    return run_id if len(run_id) <= 18 else run_id[:16] + "…"



@cached
def planner_cost_chart(curve, styles: dict[str, HwStyle], chart_id: str) -> str:
    """Cost per million output tokens vs the interactivity target: one line per hardware (its cheapest
    config at each target, from the planner SQL), your own loadgen runs as black-edged stars."""
    with matplotlib.rc_context(_RC):
        fig = _figure(9, 5.0)
        ax = fig.add_subplot()
        xs, ys, handles = [], [], []
        for hw in sorted(curve.lines):
            colour, marker = styles.get(hw, ((0.4, 0.4, 0.4, 1.0), "o"))
            px, py = zip(*curve.lines[hw])
            xs += px
            ys += py
            ax.plot(px, py, color=colour, marker=marker, markersize=4, linewidth=1.8, gid=f"cost-{_safe_id(hw)}")
            handles.append(Line2D([], [], color=colour, marker=marker, markersize=5, linewidth=1.8, label=hw))
        for i, (label, x, y) in enumerate(curve.own_points):
            xs.append(x)
            ys.append(y)
            ax.scatter([x], [y], marker="*", s=160, color="#f0b429", edgecolors="black", linewidths=0.8, zorder=5,
                       gid=f"own-{i}")
            handles.append(Line2D([], [], color="#f0b429", marker="*", markersize=11, markeredgecolor="black",
                                  linewidth=0, label=label if len(label) <= 40 else label[:39] + "…"))
        _set_scales(ax, xs, ys)
        ax.set_xlabel("Minimum interactivity (tok/s/user) → tighter SLO")
        ax.set_ylabel(f"$ per M output tokens ({curve.tier}) ← cheaper")
        ax.set_title(f"{curve.title}: cost vs interactivity SLO", loc="left")
        legend = fig.legend(handles=handles, loc="outside right upper", title="hardware (best config)", alignment="left")
        legend.set_gid("legend")
        return to_svg(fig, chart_id, f"{curve.title}: cost per million output tokens vs interactivity target by hardware")
