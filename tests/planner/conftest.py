"""One real `semibench run` of the DEFAULT data (the bundled real InferenceX captures, agg_bmk artifacts, the
2025-10-23 dashboard snapshot and the simulated loadgen demo) into a scratch workspace, shared by the planner
tests: its published warehouse holds the planning marts, and its report the planner section."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Workspace


class Planned:
    def __init__(self, ws: Workspace, report_html: Path):
        self.ws = ws
        self.report_html = report_html

    def query(self, sql: str, params=None) -> list[dict]:
        con = duckdb.connect(str(self.ws.published), read_only=True)
        try:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()


@pytest.fixture(scope="session")
def planned(default_run) -> Planned:
    ws, proc = default_run  # the session's shared default run (tests/conftest.py): read only
    match = re.search(r"^report\s+(\S+report\.html)$", proc.stdout, re.M)
    assert match, proc.stdout
    return Planned(ws, Path(match.group(1)))
