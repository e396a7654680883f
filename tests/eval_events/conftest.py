"""Fixture logs for the tool-use evaluation tests, written by the tests themselves.

The data set is small enough to compute every figure by hand (see EXPECTED in test_eval_dbt.py):
  * shard_a.jsonl / shard_b.jsonl: two runner shards writing overlapping events; the same tests
    (t-101, t-203) appear in both under different deployment spellings (DeepSeek-V3-0324-2 / -3);
  * shard_c.json: a JSON array from an older runner using `successful` and `tool_reliability`;
  * legacy/master_database_old.json and legacy/master_database.json: two cumulative snapshots of the old
    nested file; the newer one wins, files one cell under two spellings of the model, and has a cell that
    per-test events supersede.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

# every selector the tool-use evaluation part owns: its source and seeds and everything downstream
DBT_SELECT = ["source:tool_eval+", "model_name_aliases+", "tool_eval_error_categories+"]
# the cross-family model marts downstream also need runs and InferenceMAX built; tests/models covers them
# (mart_quality__quarantine unions every family's quarantine model, so it is left out here too)
DBT_EXCLUDE = ["dim_model_names+", "mart_quality__quarantine"]


def _event(test_id, model, prompt, difficulty, outcome, exec_s, **extra):
    record = {
        "model": model, "prompt_type": prompt, "tool_success_rate": 0.8, "difficulty": difficulty,
        "task_type": "simple_task", "execution_time": exec_s, "turns": 4, "tool_calls": 2,
        "timestamp": "2025-08-20T10:00:00", **extra,
    }
    if test_id is not None:
        record["test_id"] = test_id
    if outcome == "partial":
        record["success_level"] = "partial_success"
        record["success"] = False
    else:
        record["success"] = outcome == "full"
    return record


def _cell(total, success, partial, avg_exec, **errors):
    return {"total": total, "success": success, "partial": partial, "failed": total - success - partial,
            "avg_execution_time": avg_exec, "avg_turns": 5.0, "avg_tool_calls": 2.0,
            "total_errors": total - success, **errors}


def _master(last_updated, models):
    def nest(cells):
        tree: dict = {}
        for (prompt, rate, difficulty, task), leaf in cells.items():
            (tree.setdefault(prompt, {"by_tool_success_rate": {}})["by_tool_success_rate"]
                 .setdefault(rate, {"by_difficulty": {}})["by_difficulty"]
                 .setdefault(difficulty, {"by_task_type": {}})["by_task_type"])[task] = leaf
        return tree
    return {"version": "3.0", "last_updated": last_updated, "summary": {"total_tests": -1},
            "models": {m: {"model_name": m, "overall_stats": {}, "by_prompt_type": nest(c)} for m, c in models.items()}}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_json(path: Path, value) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def write_fixture_logs(root: Path) -> dict[str, Path]:
    """Write the shards and legacy snapshots under `root`; return their paths by name."""
    ds = "DeepSeek-V3-0324"
    seq, misuse = "flawed_sequence_disorder", "flawed_tool_misuse"
    qwen_fail = {"model": "qwen-key1", "prompt_type": "baseline", "tool_reliability": 0.9, "difficulty": "easy",
                 "task_type": "api_integration", "successful": False, "execution_time": 8.0,
                 "timestamp": "2025-08-21T09:00:00.123456"}
    shard_a = write_jsonl(root / "shards" / "shard_a.jsonl", [
        _event("t-101", f"{ds}-2", seq, "easy", "full", 10.0),
        _event("t-102", f"{ds}-2", seq, "easy", "fail", 20.0, error_type="sequence_order_errors", turns=6, tool_calls=["a", "b", "c"]),
        _event("t-301", f"{ds}-2", "baseline", "easy", "full", 5.0),
        # t-203 is also in shard_b: the runner retried it on another deployment and both shards wrote it
        _event("t-203", f"{ds}-2", misuse, "medium", "fail", 60.0, error_message="tool call format invalid"),
        qwen_fail,
    ])
    shard_b = write_jsonl(root / "shards" / "shard_b.jsonl", [
        # t-101 again, written by the other shard under the other deployment name, fields in another order
        {"test_id": "t-101", "timestamp": "2025-08-20T10:00:03", **{k: v for k, v in _event("t-101", f"{ds}-3", seq, "easy", "full", 10.0).items() if k not in ("test_id", "timestamp")}},
        _event("t-103", f"{ds}-3", seq, "easy", "partial", 30.0),
        _event("t-203", f"{ds}-3", misuse, "medium", "fail", 60.0, error_message="tool call format invalid"),
        _event("t-204", ds, misuse, "medium", "full", 45.0),
    ])
    # an older runner: `successful` instead of `success`, `tool_reliability` instead of `tool_success_rate`
    def old(test_id, ok, exec_s, **extra):
        rec = _event(test_id, f"{ds}-3", misuse, "medium", "full", exec_s, **extra)
        del rec["success"], rec["tool_success_rate"]
        return {**rec, "successful": ok, "tool_reliability": 0.8}
    shard_c = write_json(root / "shards" / "shard_c.json", [
        old("t-201", True, 40.0),
        old("t-202", False, 50.0, error_category="timeout"),
        # the qwen failure again, same content as in shard_a (other whitespace): lands once in raw
        qwen_fail,
        {"model": "qwen-key0", "prompt_type": "baseline", "tool_success_rate": 0.9, "difficulty": "easy",
         "task_type": "api_integration", "success": True, "execution_time": 12.0, "timestamp": "2025-08-21T09:05:00"},
    ])
    hard = (f"flawed_parameter_error", "0.8", "hard", "simple_task")
    superseded = (seq, "0.8", "easy", "simple_task")
    legacy_old = write_json(root / "legacy" / "master_database_old.json", _master("2025-08-01T00:00:00", {
        ds: {hard: _cell(6, 1, 0, 99.0, other_errors=5)},
    }))
    legacy_new = write_json(root / "legacy" / "master_database.json", _master("2025-08-30T11:25:57", {
        ds: {hard: _cell(10, 4, 2, 12.0, sequence_order_errors=3, timeout_errors=1, other_errors=2),
             superseded: _cell(50, 40, 0, 1.0, other_errors=10)},
        f"{ds}-2": {hard: _cell(6, 2, 1, 7.0, tool_call_format_errors=4)},
    }))
    return {"shard_a": shard_a, "shard_b": shard_b, "shard_c": shard_c,
            "legacy_old": legacy_old, "legacy_new": legacy_new}


def dbt_env(root: Path, warehouse: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(SEMIBENCH_WAREHOUSE=str(warehouse), DBT_TARGET_PATH=str(root / "dbt-target"),
               DBT_LOG_PATH=str(root / "dbt-logs"), PYTHONPATH=str(PROJECT_DIR))
    return env


def run_dbt_build(root: Path, warehouse: Path) -> subprocess.CompletedProcess:
    """The real `dbt build` of this part's models, in a child process, against `warehouse`."""
    return subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(PROJECT_DIR),
         "--profiles-dir", str(PROJECT_DIR), "--select", *DBT_SELECT, "--exclude", *DBT_EXCLUDE],
        cwd=root, env=dbt_env(root, warehouse), capture_output=True, text=True, timeout=900,
    )


@pytest.fixture
def fixture_logs(tmp_path) -> dict[str, Path]:
    return write_fixture_logs(tmp_path / "logs")
