"""The report's planner section: the chart in a real browser (headless Chromium, as tests/report does) and the
plan tables of the saved scenarios."""

from __future__ import annotations

import re

from tests.report.test_browser import run_chromium


def test_report_has_the_cost_chart_and_plan_tables(planned):
    html = planned.report_html.read_text(encoding="utf-8")
    charts = re.findall(r'<section class="chart plan-cost" id="(plan-cost-[^"]+)"', html)
    # one chart per saved scenario's model x ISL/OSL x tier: dsr1 1k/1k, gpt-oss 1k/1k, gpt-oss 8k/1k
    assert len(charts) == 3
    for sid in ("dsr1-chat-50", "gptoss-chat-interactive", "gptoss-batch-8k"):
        assert f'id="plan-{sid}"' in html
    md = (planned.report_html.parent / "report.md").read_text(encoding="utf-8")
    assert "## Capacity and cost plans" in md and "### dsr1-chat-50" in md


def test_chromium_renders_the_cost_chart(planned, tmp_path):
    html = planned.report_html.read_text(encoding="utf-8")
    charts = re.findall(r'<section class="chart plan-cost" id="(plan-cost-[^"]+)"', html)
    proc = run_chromium(tmp_path, "--dump-dom", planned.report_html.resolve().as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    for cid in charts:
        block = dom[dom.index(f'id="{cid}"'):]
        block = block[:block.index("</section>")]
        # parsed as SVG: the element, its legend and at least one hardware's cost line are in the DOM
        assert "<svg" in block and f'id="{cid}-legend"' in block and f'id="{cid}-cost-' in block, cid
    dsr1 = next(c for c in charts if "DeepSeek" in c or "dsr1" in c)
    block = dom[dom.index(f'id="{dsr1}"'):]
    assert 'id="' + dsr1 + '-cost-b200"' in block[:block.index("</section>")]
