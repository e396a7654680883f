"""A run rebuilds and tests only what the changed sources feed (semibench.build_scope), and that gives the
same warehouse as building everything: two copies of one built warehouse land the same later snapshot, one
with the default selective build, one with --full-build, and every model table must match."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from semibench import build_scope
from semibench_core import paths
from tests.conftest import Workspace, make_workspace

SAMPLE = paths.sample_dir()
QUICK = ("--quiet", "--no-loadgen-demo", "--no-report")
# read the clock or the run log, so they differ between any two runs: not part of the comparison
RUN_DEPENDENT = {"pipeline_runs", "pipeline_run_steps"}
RUN_LOG = "ops.pipeline_runs"
LATER = "2026-11-01T00:00:00"
# the incremental models' bookkeeping: the load time's hash and the dbt invocation that wrote the row
BOOKKEEPING = {"snapshot_batch_key", "dbt_invocation_id"}


def later_snapshot(root) -> str:
    """The sample with one hardware key gone from one model: a real change to the InferenceMAX source only."""
    later = root / "later"
    shutil.copytree(SAMPLE, later)
    for f in later.glob("gpt-oss-120b-*.json"):
        f.chmod(0o644)
        f.write_text(json.dumps([p for p in json.loads(f.read_text()) if p["hwKey"] != "h100"]))
    return str(later)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    selective = make_workspace(tmp_path_factory, "scope-selective")
    selective.cli("run", "--from", str(SAMPLE), "--fetched-at", "2026-10-01T00:00:00", *QUICK, check=True)
    full = Workspace(tmp_path_factory.mktemp("scope-full"))
    shutil.copytree(selective.root, full.root, dirs_exist_ok=True)
    later = later_snapshot(selective.root)
    # the same capture time: the two landings differ only in their bookkeeping (load time, invocation)
    first = selective.cli("run", "--from", later, "--fetched-at", LATER, *QUICK, check=True)
    second = full.cli("run", "--from", later, "--fetched-at", LATER, "--full-build", *QUICK, check=True)
    return selective, first, full, second


def ran(ws: Workspace) -> set[str]:
    return {r["unique_id"] for r in json.loads((ws.root / "dbt-target" / "run_results.json").read_text())["results"]}


def tables(con) -> list[tuple[str, str]]:
    return [r for r in con.execute("""select table_schema, table_name from information_schema.tables
                                      where table_schema in ('main', 'intermediate') order by all""").fetchall()
            if r[1] not in RUN_DEPENDENT]


def test_the_selective_run_builds_only_what_the_changed_source_feeds(pair):
    selective, proc, full, full_proc = pair
    assert "changed sources only: inferencemax." in proc.stdout, proc.stdout
    assert "full build (asked for)" in full_proc.stdout, full_proc.stdout
    built, everything = ran(selective), ran(full)
    assert "model.semibench.fct_inferencemax_points" in built
    # tool-eval and vLLM models read nothing that changed: not rebuilt, not re-tested
    assert "model.semibench.fct_tool_eval_events" in everything and "model.semibench.fct_tool_eval_events" not in built
    assert not any(node.startswith("model.") and "tool_eval" in node for node in built)
    assert len(built) < len(everything)
    # the clock-reading plan is rebuilt although none of its sources changed
    assert "model.semibench.mart_planning__plan" in built


def test_selective_and_full_builds_give_the_same_warehouse(pair):
    selective, _, full, _ = pair
    with duckdb.connect(str(selective.published), read_only=True) as a, \
            duckdb.connect(str(full.published), read_only=True) as b:
        assert tables(a) == tables(b)
        for schema, name in tables(a):
            columns = ", ".join(f'"{c}"' for c, in a.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, name]).fetchall() if c not in BOOKKEEPING)
            rows_a = a.execute(f'select {columns} from "{schema}"."{name}" order by all').fetchall()
            rows_b = b.execute(f'select {columns} from "{schema}"."{name}" order by all').fetchall()
            assert rows_a == rows_b, f"{schema}.{name} differs"


def test_the_report_still_sees_every_tests_last_outcome(pair):
    selective, _, full, _ = pair
    merged = json.loads((selective.root / "dbt-target" / build_scope.MERGED_RESULTS).read_text())
    assert {r["unique_id"] for r in merged["results"]} == ran(full)
    assert build_scope.latest_results_file(selective.root / "dbt-target").name == build_scope.MERGED_RESULTS


def test_a_code_change_or_a_missing_record_means_a_full_build(pair, tmp_path):
    selective, _, _, _ = pair
    target = selective.root / "dbt-target"
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(selective.warehouse, warehouse)
    # only the run log changed since (each run's record lands after its build)
    assert build_scope.plan_scope(warehouse, target).changed_sources == [RUN_LOG]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"update {build_scope.TABLE} set code_fingerprint = 'an older project'")
    assert build_scope.plan_scope(warehouse, target).reason == "the project or its tools changed"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"delete from {build_scope.TABLE}")
    assert build_scope.plan_scope(warehouse, target).reason == "no earlier build recorded"
    # a row removed behind the run's back is a change like any other
    shutil.copy(selective.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw.inferencemax_fetches where snapshot_id = (select min(snapshot_id) from raw.inferencemax_fetches)")
    assert build_scope.plan_scope(warehouse, target).changed_sources == ["inferencemax.inferencemax_fetches", RUN_LOG]
