"""A real two-snapshot warehouse for the report tests, built once per session with the real CLI.

Snapshot 1 is the bundled sample. Snapshot 2 (a later fetch) drops hwKey h100 from every gpt-oss-120b file,
so the coverage mart has 'lost' rows and the warn-severity test fires, and raises b200's throughput by 15%,
so the trend charts have something to show. Both `semibench run`s render a report (the run's report step)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from semibench_core import paths

LOST_MODEL, LOST_HW = "gpt-oss-120b", "h100"
FASTER_HW, SPEEDUP = "b200", 1.15
# one point of snapshot 2 loses its x: quarantined, so the run exits 3 and the report lists it
QUARANTINED_FILE, QUARANTINED_HW = "deepseek-r1-0528-1k_1k-interactivity.json", "mi300x"


@dataclass
class BuiltReport:
    ws: object  # tests.conftest.Workspace
    run_stdout: str
    directory: Path
    html: str
    markdown: str

    def query(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.ws.published), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def write_later_snapshot(dest: Path) -> Path:
    shutil.copytree(paths.sample_dir(), dest)
    for f in dest.glob("*.json"):
        f.chmod(0o644)
        points = json.loads(f.read_text())
        if f.name.startswith(LOST_MODEL + "-"):
            points = [p for p in points if p["hwKey"] != LOST_HW]
        for p in points:
            if p["hwKey"] == FASTER_HW:  # y and tpPerGpu.y are the same figure; both sides of the join agree
                p["y"] = round(p["y"] * SPEEDUP, 3)
                p["tpPerGpu"]["y"] = round(p["tpPerGpu"]["y"] * SPEEDUP, 3)
        if f.name == QUARANTINED_FILE:
            next(p for p in points if p["hwKey"] == QUARANTINED_HW)["x"] = None
        f.write_text(json.dumps(points))
    return dest


@pytest.fixture(scope="session")
def built_report(tmp_path_factory) -> BuiltReport:
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path_factory, "report")
    # InferenceMAX data only (no bundled event logs, no loadgen demo): the optional sections start empty,
    # and test_optional_sections fills them itself
    ws.cli("run", "--quiet", "--from", str(paths.sample_dir()), "--no-loadgen-demo", "--fetched-at", "2026-10-01T00:00:00",
           check=True)
    later = write_later_snapshot(ws.root / "later")
    proc = ws.cli("run", "--quiet", "--from", str(later), "--no-loadgen-demo", "--fetched-at", "2026-11-01T00:00:00")
    from ingest.errors import EXIT_QUARANTINED

    assert proc.returncode == EXIT_QUARANTINED, proc.stdout + proc.stderr
    match = re.search(r"^report\s+(\S+report\.html)$", proc.stdout, re.M)
    assert match, proc.stdout
    html_path = Path(match.group(1))
    return BuiltReport(ws=ws, run_stdout=proc.stdout, directory=html_path.parent,
                       html=html_path.read_text(encoding="utf-8"),
                       markdown=(html_path.parent / "report.md").read_text(encoding="utf-8"))
