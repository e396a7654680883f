"""Sections fed by marts other families add (loadgen fct_runs/fct_requests, a trends mart, tool-use rollups).

Those marts are being built in parallel, so these tests give a copy of the real warehouse tables in the
shape the report reads (the columns of raw.loadgen_requests / loadgen's records), render the report
in-process, and check the figures against SQL on the same tables."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone

import duckdb
import pytest

from semibench.report import render_report
from semibench.report.output import write_report

RUNS = {"run-a": 8, "run-b": 32}  # run_id -> max_concurrency


@pytest.fixture(scope="module")
def extended(built_report, tmp_path_factory):
    db = tmp_path_factory.mktemp("extended") / "semibench.duckdb"
    shutil.copyfile(built_report.ws.published, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("""create or replace table fct_runs as
            select * from (values
                ('run-a', 'loadgen', 'llama-3.3-70b', 'serve-sim', 8, timestamp '2026-11-02 10:00:00', true),
                ('run-b', 'loadgen', 'llama-3.3-70b', 'serve-sim', 32, timestamp '2026-11-02 11:00:00', true))
            as t(run_id, source, model, backend, max_concurrency, started_at, is_simulated)""")
        # latencies spanning decades at higher concurrency; every 50th request failed, the first 5 are warm-up
        con.execute("""create or replace table fct_requests as
            select run_id, i as seq, i < 5 as warmup, i % 50 <> 0 as success,
                   (20 + i) * scale as ttft_ms, (5 + i % 7) * scale as tpot_ms,
                   (20 + i) * scale + 100 * (5 + i % 7) * scale as e2el_ms
            from (values ('run-a', 1.0), ('run-b', 30.0)) as r(run_id, scale), range(300) as s(i)""")
        con.execute("""create or replace table mart_inferencemax__trends as
            select model_slug, sequence_slug, hw_key, snapshot_fetched_at, best_tput_per_gpu from (values
                ('gpt-oss-120b', '1k_1k', 'b200', timestamp '2026-09-01', 9000.0),
                ('gpt-oss-120b', '1k_1k', 'b200', timestamp '2026-10-01', 10000.0),
                ('gpt-oss-120b', '1k_1k', 'b200', timestamp '2026-11-01', 12500.0),
                ('gpt-oss-120b', '1k_1k', 'mi355x', timestamp '2026-11-01', 11000.0))
            as t(model_slug, sequence_slug, hw_key, snapshot_fetched_at, best_tput_per_gpu)""")
        con.execute("""insert into agg_tool_eval_by_model
                           (model_name, tests, success_rate, partial_rate, failure_rate, top_error_category)
                       values ('model-good', 40, 0.75, 0.15, 0.10, 'timeout'),
                              ('model-weak', 20, 0.30, 0.20, 0.50, 'tool_selection')""")
    finally:
        con.close()
    paths = render_report(db, tmp_path_factory.mktemp("extended-reports"), None)
    return db, paths.html.read_text(encoding="utf-8"), paths.markdown.read_text(encoding="utf-8")


def test_loadgen_latency_ecdfs_and_percentiles(extended):
    db, html, md = extended
    loadgen = html[html.index('<section id="loadgen">'):html.index('<section id="tool-eval">')]
    for metric in ("ttft_ms", "tpot_ms", "e2el_ms"):
        block = loadgen[loadgen.index(f'id="latency-{metric}"'):]
        block = block[:block.index("</svg>")]
        for run in RUNS:
            assert f'id="latency-{metric}-ecdf-{run}"' in block, (metric, run)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for run in RUNS:
            p50, p90, p99 = con.execute("""select quantile_cont(ttft_ms, 0.5), quantile_cont(ttft_ms, 0.9),
                                                  quantile_cont(ttft_ms, 0.99)
                                           from fct_requests where run_id = ? and success and not warmup""",
                                        [run]).fetchone()
            (failed,), = con.execute("select count(*) from fct_requests where run_id = ? and not success",
                                     [run]).fetchall()
            row = re.search(rf"<tr><td><code>{run}</code></td>(.*?)</tr>", loadgen, re.S).group(1)
            assert f"{p50:,.1f} / {p90:,.1f} / {p99:,.1f}" in row
            assert f'<td class="r">{failed}</td>' in row
            assert f"conc {RUNS[run]}" in row
            assert f"| `{run}` |" in md
    finally:
        con.close()
    # newest run first: fct_runs.started_at orders them
    assert loadgen.index("<code>run-b</code>") < loadgen.index("<code>run-a</code>")
    # run-b's latencies are 30x run-a's: the ECDF x axis is logarithmic
    ecdf = loadgen[loadgen.index('id="latency-ttft_ms"'):]
    assert re.search(r'id="latency-ttft_ms-[^"]*"', ecdf)


def test_trends_mart_is_preferred_when_it_exists(extended):
    _, html, md = extended
    trends = html[html.index('<section id="trends">'):html.index('<section id="loadgen">')]
    assert "from <code>mart_inferencemax__trends</code>" in trends and "(3 snapshots" in trends
    assert re.findall(r'<section class="chart trend" id="(trend-[^"]+)"', trends) == ["trend-gpt-oss-120b"]
    path = re.search(r'id="trend-gpt-oss-120b-trend-1k_1k-b200">\s*<path d="([^"]+)"', trends).group(1)
    assert path.count("L") == 2  # three snapshots
    assert "| gpt-oss-120b | 1k_1k | b200 | 9,000 | 12,500 | 38.9% |" in md


def test_tool_eval_rates(extended):
    _, html, md = extended
    tool = html[html.index('<section id="tool-eval">'):]
    assert 'id="tool-eval-bar-success_rate"' in tool
    assert re.search(r"<td>model-good</td><td class=\"r\">40</td><td class=\"r\">75\.0%</td>", tool)
    table = tool[tool.index("<table"):]
    assert table.index("model-good") < table.index("model-weak")  # best success rate first
    assert "| model-weak | 20 | 30.0% | 20.0% | 50.0% |" in md


def test_reports_in_the_same_second_get_their_own_directories(tmp_path):
    when = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)
    first, latest = write_report(tmp_path, {"report.html": "one"}, when=when)
    second, latest2 = write_report(tmp_path, {"report.html": "two"}, when=when)
    assert first.name == "20261123T120000Z" and second.name == "20261123T120000Z-2"
    assert (first / "report.html").read_text() == "one"  # never overwritten
    assert latest == latest2 == tmp_path / "latest"
    assert latest.is_symlink() and (latest / "report.html").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20261123T120000Z", "20261123T120000Z-2", "latest"]
