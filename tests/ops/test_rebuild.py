"""A corrupt build warehouse is detected (by `run` and `check`) and rebuilt from the archive."""

from __future__ import annotations

import os

import pytest

from tests.ops.conftest import query

COUNTS_SQL = {
    "raw points": "select count(*) from raw.inferencemax_points",
    "snapshots": "select count(*) from raw.inferencemax_snapshots",
    "fetches": "select count(*) from raw.inferencemax_fetches",
    "merged points": "select count(*) from fct_inferencemax_points",
    "rollup": "select count(*) from mart_inferencemax__hardware_rollup",
    "best tput": "select round(sum(best_tput_per_gpu), 6) from mart_inferencemax__hardware_rollup",
    "latest fetch": "select max(last_fetched_at) from staging.stg_inferencemax__snapshots",
}


def counts(db):
    return {k: query(db, sql)[0][0] for k, sql in COUNTS_SQL.items()}


def scribble(path, offset, n):
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(os.urandom(n))


@pytest.mark.parametrize("where", ["header", "middle"])
def test_check_detects_garbage_in_the_warehouse_file(built, where):
    size = built.warehouse.stat().st_size
    offset, n = (0, 4096) if where == "header" else (size // 3, size // 3)
    scribble(built.warehouse, offset, n)
    proc = built.cli("check")
    assert proc.returncode == 1
    assert "warehouse  CORRUPT" in proc.stdout and "semibench rebuild" in proc.stdout
    assert "archive    ok: 1 snapshots, 18 files" in proc.stdout


def test_corrupt_warehouse_fails_the_run_clearly_and_rebuild_restores_it(built):
    before = counts(built.published)
    published_sha = (built.published.read_bytes())
    scribble(built.warehouse, 0, 4096)

    proc = built.cli("run", "--once")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
    assert "corrupt" in proc.stderr and "semibench rebuild" in proc.stderr
    assert built.published.read_bytes() == published_sha  # readers keep the last good build
    assert built.runs()[-1]["steps"] == "check:failed"

    proc = built.cli("rebuild", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "replayed 1 fetches of 1 archived snapshots, 1,126 points" in proc.stdout
    aside = [p.name for p in built.warehouse.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1  # kept for inspection, not deleted
    assert counts(built.warehouse) == before
    assert counts(built.published) == before
    assert built.cli("check").returncode == 0
    run = built.runs()[-1]
    assert (run["trigger"], run["status"]) == ("rebuild", "success")
    assert run["steps"].startswith("set_aside:success replay:success lake:success build:success publish:success")
    # the run log came back too: every run so far, the failed one included
    assert [r[0] for r in query(built.published, "select status from pipeline_runs order by started_at")] == [
        "success", "failed", "success"]


def test_rebuild_of_a_healthy_warehouse_needs_force(built):
    proc = built.cli("rebuild")
    assert proc.returncode == 0 and "healthy, nothing to rebuild" in proc.stdout
    assert not [p for p in built.warehouse.parent.iterdir() if ".replaced-" in p.name]


def test_an_interrupted_rebuild_is_not_built_on(built):
    marker = built.warehouse.with_name(built.warehouse.name + ".rebuilding")
    marker.touch()  # what a rebuild killed during replay leaves behind
    proc = built.cli("run", "--once")
    assert proc.returncode == 1 and "did not finish" in proc.stderr and "semibench rebuild" in proc.stderr
