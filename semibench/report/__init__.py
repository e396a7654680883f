"""The run report: a self-contained HTML page with charts and a Markdown summary of the published warehouse.

    data.py     SQL against the published warehouse (tolerant of marts that do not exist yet)
    quality.py  dbt test outcomes (run_results.json), coverage losses, unknown hardware
    plots.py    matplotlib figures -> inline SVG
    render.py   jinja2 templates (templates/) -> HTML and Markdown
    output.py   atomic report directory + `latest`
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from semibench.report.output import ReportPaths, write_report

__all__ = ["ReportPaths", "render_report", "report_step"]

# beside the timestamped report folders: the newest report's charts, reused while their data is unchanged
CHART_CACHE = ".chart-cache"


def render_report(published: Path, out_dir: Path, dbt_target: Path | None, *,
                  now: datetime | None = None, update_latest: bool = True) -> ReportPaths:
    """Render the report of the `published` warehouse into out_dir/<UTC timestamp>/ (report.html + report.md)
    and point out_dir/latest at it. dbt_target is the dbt target dir whose run_results.json gives the test
    outcomes (None: the report says they are unknown)."""
    # imported here so that `semibench --help` and runs without a report do not pay for matplotlib
    from semibench.report.data import load_report_data
    from semibench.report.render import HTML_NAME, MARKDOWN_NAME, render

    from semibench.report.chart_cache import charts_cached_in

    data = load_report_data(Path(published), Path(dbt_target) if dbt_target else None, now=now)
    with charts_cached_in(Path(out_dir) / CHART_CACHE):
        html, markdown = render(data)
    directory, latest = write_report(Path(out_dir), {HTML_NAME: html, MARKDOWN_NAME: markdown},
                                     when=data.generated_at, update_latest=update_latest)
    return ReportPaths(directory=directory, html=directory / HTML_NAME, markdown=directory / MARKDOWN_NAME,
                       latest=latest)


def report_step(published: Path, out_dir: Path, dbt_target: Path | None) -> tuple[ReportPaths | None, str | None]:
    """The report as a step of `semibench run`: (paths, None) or (None, one-line reason). A report that
    cannot be made must not undo the build and publish before it, so errors come back as a message."""
    if not Path(published).exists():
        return None, f"{published}: no published warehouse to report on"
    try:
        return render_report(published, out_dir, dbt_target), None
    except Exception as exc:  # noqa: BLE001 - any failure is reported by the caller and fails the run
        return None, f"{type(exc).__name__}: {exc}"
