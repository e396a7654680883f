"""The real `dbt build` over ingested fixture logs, with rollups checked against hand-computed figures.

Hand computation for DeepSeek-V3-0324 (fixture logs in conftest.py):
  events (8 distinct; t-101 and t-203 were written twice):
    easy   flawed_sequence_disorder  t-101 full 10s, t-102 fail 20s (sequence_order), t-103 partial 30s (other)
    medium flawed_tool_misuse        t-203 fail 60s (format, from its message), t-204 full 45s,
                                     t-201 full 40s (`successful`), t-202 fail 50s (timeout)
    easy   baseline                  t-301 full 5s
  legacy, newest snapshot only (the old snapshot's 6/1 cell is superseded):
    hard   flawed_parameter_error    DeepSeek-V3-0324 10 tests 4 full 2 partial avg 12s
                                     + DeepSeek-V3-0324-2 6 tests 2 full 1 partial avg 7s = 16 / 6 / 3
    the legacy easy flawed_sequence_disorder cell (50 tests) is superseded by the events of that cell.
  model: 24 tests, 10 full, 4 partial, 10 failed; execution time (260 + 120 + 42) / 24;
         errors: tool_call_format 1+4, sequence_order 1+3, other 1+2, timeout 1+1 = 14.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from ingest.eval_events import ingest_eval_events

from .conftest import run_dbt_build, write_fixture_logs

README_QUERY = """
select difficulty,
       sum(tests) as tests,
       sum(full_successes) / sum(tests) as success_rate
from agg_tool_eval_by_cell
where model_name = 'DeepSeek-V3-0324' and prompt_family = 'flawed'
group by difficulty
order by difficulty
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval_dbt")
    logs = write_fixture_logs(root / "logs")
    warehouse = root / "wh.duckdb"
    ingest_eval_events([logs["shard_a"].parent], warehouse)           # the shards, as a directory
    ingest_eval_events([logs["legacy_old"], logs["legacy_new"]], warehouse)
    ingest_eval_events([logs["shard_a"].parent.parent], warehouse)    # everything again: a no-op
    proc = run_dbt_build(root, warehouse)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return root, warehouse, proc


def query(warehouse, sql, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_build_runs_every_test_and_unit_test(built):
    _, _, proc = built
    assert "ERROR=0" in proc.stdout
    assert "WARN=0" in proc.stdout  # the fixtures are clean: no warn-level test may fire
    # the dbt unit tests of normalisation, reconciliation and dedupe ran as part of the build
    for name in ("model_names_seed_suffix_rule_and_unknowns", "events_dedupe_by_identity_and_categorise_errors",
                 "events_reconcile_renamed_fields"):
        assert name in proc.stdout


def test_readme_query_flawed_success_rate_by_difficulty(built):
    _, warehouse, _ = built
    assert query(warehouse, README_QUERY) == [
        ("easy", 3, pytest.approx(1 / 3)),
        ("hard", 16, pytest.approx(6 / 16)),
        ("medium", 4, pytest.approx(2 / 4)),
    ]


def test_duplicate_events_are_counted_once(built):
    _, warehouse, _ = built
    assert query(warehouse, "select count(*) from raw.eval_events where record_kind = 'test'") == [(12,)]
    rows = query(warehouse, """
        select test_id, copies, model_name from fct_tool_eval_events
        where model_name = 'DeepSeek-V3-0324' order by test_id""")
    assert rows == [("t-101", 2, "DeepSeek-V3-0324"), ("t-102", 1, "DeepSeek-V3-0324"), ("t-103", 1, "DeepSeek-V3-0324"),
                    ("t-201", 1, "DeepSeek-V3-0324"), ("t-202", 1, "DeepSeek-V3-0324"), ("t-203", 2, "DeepSeek-V3-0324"),
                    ("t-204", 1, "DeepSeek-V3-0324"), ("t-301", 1, "DeepSeek-V3-0324")]


def test_model_rollup_matches_hand_computed_figures(built):
    _, warehouse, _ = built
    cols = ("tests, tests_from_events, tests_from_legacy, full_successes, partial_successes, failures, success_rate, "
            "partial_rate, mean_execution_time_s, median_execution_time_s, mean_turns, mean_tool_calls, total_errors, "
            "tool_call_format_errors, sequence_order_errors, other_errors, timeout_errors, dependency_errors, top_error_category")
    [row] = query(warehouse, f"select {cols} from agg_tool_eval_by_model where model_name = 'DeepSeek-V3-0324'")
    got = dict(zip([c.strip() for c in cols.split(",")], row))
    assert got == {
        "tests": 24, "tests_from_events": 8, "tests_from_legacy": 16,
        "full_successes": 10, "partial_successes": 4, "failures": 10,
        "success_rate": pytest.approx(10 / 24), "partial_rate": pytest.approx(4 / 24),
        "mean_execution_time_s": pytest.approx((260 + 120 + 42) / 24),
        "median_execution_time_s": None,  # legacy figures carry no per-test times
        "mean_turns": pytest.approx((7 * 4 + 6 + 16 * 5) / 24),
        "mean_tool_calls": pytest.approx((7 * 2 + 3 + 16 * 2) / 24),
        "total_errors": 14, "tool_call_format_errors": 5, "sequence_order_errors": 4, "other_errors": 3,
        "timeout_errors": 2, "dependency_errors": 0, "top_error_category": "tool_call_format",
    }


def test_virtual_key_instances_fold_into_the_real_model(built):
    _, warehouse, _ = built
    assert query(warehouse, """
        select model_name, tests, full_successes, median_execution_time_s, mean_execution_time_s
        from agg_tool_eval_by_model order by model_name""") == [
        ("DeepSeek-V3-0324", 24, 10, None, pytest.approx(422 / 24)),
        ("qwen2.5-72b-instruct", 2, 1, pytest.approx(10.0), pytest.approx(10.0)),
    ]
    # `tool_reliability` (older runners) gave the qwen failure its 0.9 rate
    assert query(warehouse, "select distinct tool_success_rate from fct_tool_eval_events where model_name like 'qwen%'") == [(0.9,)]


def test_cells_say_where_their_figures_come_from(built):
    _, warehouse, _ = built
    assert query(warehouse, """
        select prompt_type, difficulty, figures_from, tests, full_successes, partial_successes, median_execution_time_s
        from agg_tool_eval_by_cell where model_name = 'DeepSeek-V3-0324' order by prompt_type, difficulty""") == [
        ("baseline", "easy", "events", 1, 1, 0, 5.0),
        ("flawed_parameter_error", "hard", "legacy_master_database", 16, 6, 3, None),
        ("flawed_sequence_disorder", "easy", "events", 3, 1, 1, 20.0),
        ("flawed_tool_misuse", "medium", "events", 4, 2, 0, pytest.approx(47.5)),
    ]


def test_master_database_view_reproduces_the_nested_layout(built):
    _, warehouse, _ = built
    [(doc,)] = query(warehouse, "select master_database from tool_eval_master_database")
    db = json.loads(doc)
    model = db["models"]["DeepSeek-V3-0324"]
    assert model["total_tests"] == 24
    leaf = model["by_prompt_type"]["flawed_parameter_error"]["by_tool_success_rate"]["0.8"]["by_difficulty"]["hard"]["by_task_type"]["simple_task"]
    assert (leaf["total"], leaf["success"], leaf["partial"], leaf["failed"]) == (16, 6, 3, 7)
    assert leaf["tool_call_format_errors"] == 4 and leaf["avg_execution_time"] == pytest.approx(162 / 16)
    assert db["summary"]["total_tests"] == 26
    assert db["summary"]["models_tested"] == ["DeepSeek-V3-0324", "qwen2.5-72b-instruct"]


def test_rebuild_after_reingest_gives_the_same_answer(built):
    root, warehouse, _ = built
    logs = root / "logs"
    summary = ingest_eval_events([logs], warehouse)
    assert summary.records_landed == 0
    proc = run_dbt_build(root, warehouse)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert query(warehouse, README_QUERY) == [
        ("easy", 3, pytest.approx(1 / 3)), ("hard", 16, pytest.approx(6 / 16)), ("medium", 4, pytest.approx(2 / 4))]


def test_a_deployment_name_missing_from_the_seed_still_folds_in(tmp_path):
    # DeepSeek-R1-0528-2 has no seed row: the generic suffix rule maps it to the known DeepSeek-R1-0528
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "r1.jsonl").write_text(
        '{"model": "DeepSeek-R1-0528-2", "prompt_type": "cot", "task_type": "t", "success": true, "test_id": "r"}\n'
        '{"model": "DeepSeek-R1-0528", "prompt_type": "cot", "task_type": "t", "success": false, "test_id": "s"}\n')
    warehouse = tmp_path / "wh.duckdb"
    ingest_eval_events([logs], warehouse)
    proc = run_dbt_build(tmp_path, warehouse)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert query(warehouse, "select model_name, tests, full_successes from agg_tool_eval_by_model") == [("DeepSeek-R1-0528", 2, 1)]
    assert query(warehouse, "select normalisation_rule from intermediate.int_tool_eval__model_names where model_raw = 'DeepSeek-R1-0528-2'") == [("deployment_suffix",)]
