"""The run report on a real two-snapshot warehouse: charts, tables, trends and data quality checked against
SQL on the same published warehouse, and the HTML checked to be self-contained."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

from semibench.report import CHART_CACHE
from tests.report.conftest import FASTER_HW, LOST_HW, LOST_MODEL

SVG_NS = "{http://www.w3.org/2000/svg}"


def chart_id(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9_-]+", "_", p) for p in parts)


def section(html: str, element_id: str) -> str:
    """The markup of the <section> with this id (sections of charts do not nest)."""
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<section", 0, start)
    return html[start:html.index("</section>", start)]


def svg_of(html: str, element_id: str) -> ET.Element:
    block = section(html, element_id)
    return ET.fromstring(block[block.index("<svg"):block.index("</svg>") + len("</svg>")])


def group(svg: ET.Element, gid: str) -> ET.Element | None:
    return next((g for g in svg.iter(f"{SVG_NS}g") if g.get("id") == gid), None)


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in element.iter(f"{SVG_NS}text")]


def stroke(element: ET.Element) -> str:
    path = element.find(f"{SVG_NS}path")
    return re.search(r"stroke: (#[0-9a-f]{6})", path.get("style")).group(1)


def test_run_summary_names_the_report_and_latest_points_at_it(built_report):
    reports = built_report.ws.reports
    stamped = sorted(p for p in reports.iterdir() if not p.name.startswith((".", "latest")))
    assert len(stamped) == 2  # one per `semibench run`
    assert (reports / "latest").resolve() == built_report.directory.resolve() == stamped[-1].resolve()
    assert sorted(p.name for p in built_report.directory.iterdir()) == ["report.html", "report.md"]
    # no temp dirs left behind; the chart cache holds exactly the newest report's charts
    assert [p.name for p in reports.iterdir() if p.name.startswith(".")] == [CHART_CACHE]
    charts = re.findall(r'<svg[^>]*class="chart-svg"', built_report.html)
    assert len(list((reports / CHART_CACHE).glob("*.svg"))) == len(charts) > 0


def test_one_chart_per_model_sequence_with_its_hw_keys_in_the_legend(built_report):
    expected = {}
    for model, seq, hw in built_report.query(
            "select distinct model_slug, sequence_slug, hw_key from fct_inferencemax_points"):
        expected.setdefault((model, seq), set()).add(hw)
    assert len(expected) == 9
    found = re.findall(r'<section class="chart" id="(chart-[^"]+)"', built_report.html)
    assert sorted(found) == sorted(chart_id("chart", m, s) for m, s in expected)
    for (model, seq), hw_keys in expected.items():
        cid = chart_id("chart", model, seq)
        legend = group(svg_of(built_report.html, cid), f"{cid}-legend")
        assert legend is not None, cid
        assert set(texts(legend)) == hw_keys | {"hwKey", "line: Pareto frontier"}, cid
    # the lost hwKey is gone from the latest snapshot's gpt-oss charts (it was in the previous snapshot's)
    assert LOST_HW not in texts(svg_of(built_report.html, chart_id("chart", LOST_MODEL, "1k_1k")))
    assert any(LOST_HW in keys for keys in expected.values())


def test_each_frontier_is_a_line_through_its_frontier_points(built_report):
    frontier = built_report.query("""select model_slug, sequence_slug, hw_key, count(*)
                                     from intermediate.int_inferencemax__pareto_frontier group by all""")
    assert frontier
    for model, seq, hw, n in frontier:
        cid = chart_id("chart", model, seq)
        line = group(svg_of(built_report.html, cid), f"{cid}-frontier-{hw}")
        assert line is not None, (cid, hw)
        d = line.find(f"{SVG_NS}path").get("d")
        assert d.count("L") + 1 == n, (cid, hw)  # M + one L per further frontier point
        points = group(svg_of(built_report.html, cid), f"{cid}-points-{hw}")
        assert points is not None, (cid, hw)


def test_a_hw_key_has_one_colour_in_every_chart(built_report):
    colours: dict[str, set[str]] = {}
    for cid in re.findall(r'<section class="chart" id="(chart-[^"]+)"', built_report.html):
        svg = svg_of(built_report.html, cid)
        for g in svg.iter(f"{SVG_NS}g"):
            m = re.fullmatch(rf"{re.escape(cid)}-frontier-(.+)", g.get("id", ""))
            if m:
                colours.setdefault(m.group(1), set()).add(stroke(g))
    assert len(colours) == 10
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)  # and no two keys share one
    # the colour key at the top of the page agrees with the charts
    chips = {hw: colour for colour, hw in re.findall(
        r'<span class="chip"><i style="background:(#[0-9a-f]{6})"></i>([^<]+)</span>', built_report.html)}
    assert chips == {hw: next(iter(c)) for hw, c in colours.items()}


def test_ranked_table_per_chart_follows_the_rollup(built_report):
    rows = built_report.query("""select hw_key, rank_best_tput_per_gpu, best_tput_per_gpu
                                 from mart_inferencemax__hardware_rollup
                                 where model_slug = 'gpt-oss-120b' and sequence_slug = '8k_1k'
                                 order by rank_best_tput_per_gpu, hw_key""")
    block = section(built_report.html, chart_id("chart", "gpt-oss-120b", "8k_1k"))
    table = block[block.index('<table class="data rollup">'):]
    shown = re.findall(r'<td class="r">(\d+)</td>\s*<td class="nowrap">.*?<b>([^<]+)</b>', table, re.S)
    assert shown == [(str(rank), hw) for hw, rank, _ in rows]
    assert f"{rows[0][2]:,.0f}" in table
    assert rows[0][0] == FASTER_HW  # b200's 15% gain puts it first


def test_data_quality_lists_the_warned_test_and_the_coverage_loss(built_report):
    html = built_report.html
    quality = html[html.index('<section id="quality">'):html.index('<section id="inferencemax">')]
    problems = quality[quality.index('id="dbt-problems"'):]
    assert re.search(r'status warn">WARN</span></td>\s*<td><code[^>]*>assert_inferencemax_coverage_no_hardware_lost'
                     r'</code></td>\s*<td class="r">3</td>', problems)
    lost = quality[quality.index('id="coverage-lost-table"'):]
    lost = lost[:lost.index("</table>")]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td><b>([^<]+)</b></td>", lost)
    assert rows == [(LOST_MODEL, s, LOST_HW) for s in ("1k_1k", "1k_8k", "8k_1k")]
    assert "had points in the previous\n    snapshot and have none" in quality
    assert "| WARN | `assert_inferencemax_coverage_no_hardware_lost` | 3 |" in built_report.markdown
    assert f"| {LOST_MODEL} | 8k_1k | **{LOST_HW}** | 10 |" in built_report.markdown


def test_markdown_headline_numbers_match_sql(built_report):
    md = built_report.markdown
    headline = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", md, re.M))
    points, models, hws, charts = built_report.query("""select count(*), count(distinct model_slug),
        count(distinct hw_key), count(distinct (model_slug, sequence_slug)) from fct_inferencemax_points""")[0]
    (frontier,), = built_report.query("select count(*) from intermediate.int_inferencemax__pareto_frontier")
    (snapshots,), = built_report.query("select count(*) from staging.stg_inferencemax__snapshots")
    (snapshot_id,), = built_report.query("select distinct snapshot_id from fct_inferencemax_points")
    assert headline["points"] == str(points)
    assert headline["models"] == str(models)
    assert headline["hwKeys"] == str(hws)
    assert headline["model × sequence charts"] == str(charts)
    assert headline["Pareto-frontier points"] == str(frontier)
    assert headline["snapshots"] == str(snapshots) == "2"
    assert headline["snapshot"] == f"`{snapshot_id}`"
    assert headline["fetched"] == "2026-11-01 00:00:00 UTC"
    assert "[report.html](report.html)" in md
    # the HTML shows the same numbers
    assert f'id="headline-points">{points:,}<' in built_report.html
    assert f'id="headline-frontier-points">{frontier:,}<' in built_report.html


def test_trends_show_every_snapshot_per_hw_key(built_report):
    html = built_report.html
    trends = html[html.index('<section id="trends">'):html.index('<section id="loadgen">')]
    assert "mart_inferencemax__trends" in trends  # the history mart is preferred over recomputing from points
    models = [m for (m,) in built_report.query("select distinct model_slug from fct_inferencemax_points")]
    assert sorted(re.findall(r'<section class="chart trend" id="(trend-[^"]+)"', trends)) == sorted(chart_id("trend", m) for m in models)
    svg = svg_of(html, chart_id("trend", LOST_MODEL))
    line = group(svg, f"{chart_id('trend', LOST_MODEL)}-trend-1k_1k-{FASTER_HW}")
    assert line.find(f"{SVG_NS}path").get("d").count("L") == 1  # two snapshots, one segment
    # the lost hwKey keeps its (single-snapshot) series in the trend: that is where its loss shows
    assert group(svg, f"{chart_id('trend', LOST_MODEL)}-trend-1k_1k-{LOST_HW}") is not None
    assert re.search(rf"\| {LOST_MODEL} \| 8k_1k \| {FASTER_HW} \| [\d,]+ \| [\d,]+ \| 15\.0% \|",
                     built_report.markdown)


def test_sections_without_data_say_so(built_report):
    assert "No loadgen runs yet: fct_requests is empty." in built_report.html
    assert "No loadgen runs yet" in built_report.markdown
    assert "No tool-use evaluation results yet" in built_report.html


def test_html_is_self_contained(built_report):
    html = built_report.html
    assert "<script" not in html and "<link" not in html and "<img" not in html and "<iframe" not in html
    assert "@import" not in html and "@font-face" not in html
    assert not re.search(r"""\s(src|srcset|action)=""", html)
    # every url(...) and href points inside the document (or at the Markdown twin beside it)
    assert set(re.findall(r"url\((?!#)([^)]*)\)", html)) == set()
    assert {h for h in re.findall(r'href="([^"]*)"', html) if not h.startswith("#")} == {"report.md"}
    # http(s) may appear only as XML namespace names, which browsers never fetch
    attrs = re.findall(r'([\w:-]+)="https?://[^"]*"', html)
    assert set(attrs) <= {"xmlns", "xmlns:xlink"}, set(attrs)
    # 9 model x sequence charts + 3 trend charts + the planner's cost charts (one per saved scenario's model x
    # ISL/OSL x tier present in the data)
    plan_charts = html.count('<section class="chart plan-cost"')
    assert html.count("<svg") == 9 + 3 + plan_charts


def test_report_command_options(built_report, tmp_path):
    ws = built_report.ws
    out = tmp_path / "reports"
    proc = ws.cli("report", "--out", str(out), "--db", str(ws.published), "--dbt-target", str(tmp_path / "no-dbt"),
                  check=True)
    html = (out / "latest" / "report.html").read_text(encoding="utf-8")
    directory = re.search(r"^report\s+(\S+)/report\.html$", proc.stdout, re.M).group(1)
    assert os.path.realpath(out / "latest") == os.path.realpath(directory)
    assert "No dbt results found" in html and "no-dbt" in html
    assert (out / "latest" / "report.md").exists()
    # the data is the same warehouse's: the coverage loss is still listed without dbt's results
    assert 'id="coverage-lost-table"' in html
    missing = ws.cli("report", "--out", str(out), "--db", str(tmp_path / "nope.duckdb"))
    assert missing.returncode != 0 and "nope.duckdb" in missing.stderr
    helptext = ws.cli("report", "--help", check=True).stdout
    for option in ("--out", "--db", "--dbt-target", "--open"):
        assert option in helptext


def test_run_without_report(built_report, tmp_path):
    # --no-report: same data (re-ingest adds nothing, dbt rebuilds), no new report directory
    ws = built_report.ws
    before = sorted(p.name for p in ws.reports.iterdir())
    proc = ws.cli("run", "--quiet", "--no-report", "--from", str(ws.root / "later"),
                  "--fetched-at", "2026-11-01T00:00:00")
    # the input still holds its quarantined point: a re-run says so again (exit 3), landing nothing new
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "\nreport " not in proc.stdout
    assert sorted(p.name for p in ws.reports.iterdir()) == before



def test_quarantined_point_is_counted_in_the_summary_and_listed_in_the_report(built_report):
    from tests.report.conftest import QUARANTINED_FILE

    in_mart = built_report.query(
        "select family, source_file, reasons from mart_quality__quarantine")
    assert [(f, s) for f, s, _ in in_mart] == [("inferencemax", QUARANTINED_FILE)]
    assert "x" in in_mart[0][2]
    assert re.search(r"^quarantined\s+1 new record\(s\) this run; in the warehouse: inferencemax 1", built_report.run_stdout, re.M)
    table = built_report.html.split('id="quarantine-table"', 1)[1].split("</table>", 1)[0]
    from markupsafe import escape

    assert QUARANTINED_FILE in table and str(escape(in_mart[0][2])) in table
    assert "**Quarantined records**: 1" in built_report.markdown
