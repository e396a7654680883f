"""The run log of a real successful run: JSONL lines, `semibench runs`, and `pipeline_runs` in SQL."""

from __future__ import annotations

import csv
import io
import json

from semibench.pipeline import PIPELINE_STEPS
from tests.ops.conftest import query


def test_a_successful_run_writes_a_start_and_an_end_line(built_base):
    start, end = built_base.log_lines()
    assert (start["event"], start["status"], start["trigger"]) == ("start", "running", "once")
    assert (end["event"], end["status"], end["run_id"]) == ("end", "success", start["run_id"])
    assert [s["name"] for s in end["steps"]] == [name for name, _ in PIPELINE_STEPS]
    # --synthetic: the bundled real sources are not landed; every other step runs
    assert {s["name"]: s["status"] for s in end["steps"]} == {
        name: "skipped" if name == "bundled_sources" else "success" for name, _ in PIPELINE_STEPS}
    assert all(s["seconds"] >= 0 for s in end["steps"])
    assert end["rows_landed"] == 1126 and end["snapshot_was_new"] is True and end["published"] is True
    # one warning, and a true one: the synthetic dashboard sample's hwKeys have no InferenceX config
    # (inferencex_unmapped_results_is_empty); anything else warning or failing is a regression
    assert (end["dbt_tests_failed"], end["dbt_tests_warned"], end["dbt_nodes_errored"]) == (0, 1, 0)
    assert query(built_base.published, "select count(*) from mart_inferencex__unmapped_results "
                 "where source_family = 'dashboard'")[0][0] > 0
    assert end["ended_at"] >= end["started_at"] and end["error"] is None


def test_pipeline_runs_is_queryable_with_sql_in_the_published_warehouse(built_base):
    proc = built_base.cli("sql", "--format", "csv", "select run_id, trigger, status, rows_landed, step_count, "
                          "failed_step, is_current_publish from pipeline_runs")
    assert proc.returncode == 0, proc.stderr
    (row,) = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert row["run_id"] == built_base.log_lines()[0]["run_id"]
    assert (row["trigger"], row["status"], row["rows_landed"], row["step_count"]) == ("once", "success", "1126", str(len(PIPELINE_STEPS)))
    assert row["failed_step"] == "" and row["is_current_publish"] == "True"
    steps = query(built_base.published, "select name from pipeline_run_steps order by ordinal")
    assert [s for (s,) in steps] == [name for name, _ in PIPELINE_STEPS]


def test_runs_command_lists_the_log(built_base):
    proc = built_base.cli("runs", "--format", "json")
    (run,) = json.loads(proc.stdout)
    assert run["status"] == "success" and run["steps"].startswith("check:success ingest:success")
    assert "build:success publish:success" in run["steps"]


def test_check_reports_a_healthy_workspace(built):
    proc = built.cli("check")
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("warehouse  ok:") and lines[1].startswith("published  ok:")
    assert any(line.startswith("archive    ok: 1 snapshots, 18 files") for line in lines)
    assert "lock       free" in lines and any(line.startswith("last run") and "success" in line for line in lines)
