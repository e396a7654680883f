"""Reading and checking evaluation logs: locators, legacy flattening; a record with problems is kept with
every reason (it lands quarantined), a file that cannot be read is rejected with one line."""

from __future__ import annotations

import json

import pytest

from ingest.eval_readers import discover, read_file


def test_jsonl_records_keep_their_line_numbers(tmp_path):
    path = tmp_path / "s.jsonl"
    good = {"model": "m", "prompt_type": "p", "task_type": "t", "success": True, "test_id": 1}
    # blank lines are skipped but still counted, so locators match what an editor shows
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "test_id": 2}) + "\n")
    records, rejections = read_file(path)
    assert rejections == []
    assert [r.source_locator for r in records] == ["line 1", "line 3"]
    assert records[0].record_text == json.dumps(good)  # the line verbatim
    assert {r.source_format for r in records} == {"jsonl"}


def test_array_records_keep_their_index(fixture_logs):
    records, rejections = read_file(fixture_logs["shard_c"])
    assert rejections == []
    assert [r.source_locator for r in records] == ["[0]", "[1]", "[2]", "[3]"]
    assert records[0].record["successful"] is True


def test_master_database_is_flattened_to_cells_with_paths(fixture_logs):
    records, rejections = read_file(fixture_logs["legacy_new"])
    assert rejections == []
    assert {r.record_kind for r in records} == {"legacy_cell"}
    locators = sorted(r.source_locator for r in records)
    assert locators == [
        "models/DeepSeek-V3-0324-2/by_prompt_type/flawed_parameter_error/by_tool_success_rate/0.8/by_difficulty/hard/by_task_type/simple_task",
        "models/DeepSeek-V3-0324/by_prompt_type/flawed_parameter_error/by_tool_success_rate/0.8/by_difficulty/hard/by_task_type/simple_task",
        "models/DeepSeek-V3-0324/by_prompt_type/flawed_sequence_disorder/by_tool_success_rate/0.8/by_difficulty/easy/by_task_type/simple_task",
    ]
    cell = next(r for r in records if r.context["model"] == "DeepSeek-V3-0324-2")
    assert cell.context["tool_success_rate"] == "0.8" and cell.context["difficulty"] == "hard"
    assert cell.context["database_last_updated"] == "2025-08-30T11:25:57"
    assert len(cell.context["database_sha256"]) == 64
    assert cell.record["total"] == 6


@pytest.mark.parametrize("line, reason", [
    ('{"model": "m", "prompt_type": "p", "task_type": "t", "success": tru', "invalid JSON"),
    ('{"prompt_type": "p", "task_type": "t", "success": true, "test_id": 1}', "missing required field 'model'"),
    ('{"model": "m", "prompt_type": "p", "task_type": "t", "test_id": 1}', "missing outcome"),
    ('{"model": "m", "prompt_type": "p", "task_type": "t", "success": "yes", "test_id": 1}', "field 'success' must be true or false"),
    ('{"model": "m", "prompt_type": "p", "task_type": "t", "success": true}', "cannot identify the event"),
    ('{"model": "m", "prompt_type": "p", "task_type": "t", "success": true, "test_id": 1, "tool_success_rate": 8}', "field 'tool_success_rate' must be a number in [0, 1]"),
    ('{"model": "m", "prompt_type": "p", "task_type": "t", "success": true, "test_id": 1, "execution_time": NaN}', "non-standard JSON constant NaN"),
    ('{"model": "m", "prompt_type": "p", "task_type": "t", "success": true, "timestamp": "yesterday"}', "field 'timestamp' must be an ISO-8601"),
    ('[1, 2]', "expected a JSON object"),
])
def test_bad_jsonl_line_is_quarantined_with_file_and_line(tmp_path, line, reason):
    path = tmp_path / "bad.jsonl"
    good = '{"model": "m", "prompt_type": "p", "task_type": "t", "success": true, "test_id": 0}'
    path.write_text(f"{good}\n{line}\n{good.replace('0}', '9}')}\n")
    records, rejections = read_file(path)
    assert rejections == []
    assert [(r.source_locator, bool(r.reasons)) for r in records] == [("line 1", False), ("line 2", True), ("line 3", False)]
    bad = records[1]
    assert any(reason in r for r in bad.reasons), bad.reasons
    assert bad.record_text == line or bad.record_kind == "unparsed" and json.loads(bad.record_text) == line


def test_every_reason_of_a_record_is_kept_and_numeric_strings_noted(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"model": "", "prompt_type": "p", "task_type": "t", "success": "yes", "test_id": 1,
                                "execution_time": -1}) + "\n"
                    + json.dumps({"model": "m", "prompt_type": "p", "task_type": "t", "success": True, "test_id": 2,
                                  "tool_success_rate": "0.9", "execution_time": "12.5"}) + "\n")
    (bad, good), _ = read_file(path)
    assert bad.reasons == ("field 'model' is a string '', expected a non-empty string",
                           "field 'success' must be true or false, got 'yes'",
                           "field 'execution_time' is -1, expected a number >= 0 and <= 1e+09 (seconds)")
    assert good.reasons == ()
    assert good.notes == ("field 'tool_success_rate' is the numeric string '0.9', read as 0.9",
                          "field 'execution_time' is the numeric string '12.5', read as 12.5")


def test_bad_array_element_is_quarantined_with_its_index(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"model": "m", "prompt_type": "p", "task_type": "t", "success": True, "test_id": 1}, "oops"]))
    records, rejections = read_file(path)
    assert rejections == []
    assert [(r.source_locator, r.reasons) for r in records] == [("[0]", ()), ("[1]", ("expected a JSON object, got str",))]


def test_truncated_array_names_the_line(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('[\n{"model": "m",\n')
    records, rejections = read_file(path)
    assert records == []
    assert str(rejections[0]).startswith(f"{path} line ")
    assert "invalid JSON" in str(rejections[0])


def test_bad_legacy_cell_is_quarantined_with_its_path(tmp_path):
    path = tmp_path / "master_database.json"
    db = {"models": {"M": {"by_prompt_type": {"cot": {"by_tool_success_rate": {
        "high": {"by_difficulty": {"easy": {"by_task_type": {"simple_task": {"total": 1}}}}},
        "0.8": {"by_difficulty": {"easy": {"by_task_type": {"simple_task": {"total": 2, "success": 3}}}}},
        "0.9": {"by_difficulty": "easy"},
        "1.0": {"by_difficulty": {"easy": {"by_task_type": {"simple_task": {"total": 2 ** 31}}}}},
    }}}}}}
    path.write_text(json.dumps(db))
    records, rejections = read_file(path)
    assert rejections == []
    quarantined = sorted((r.source_locator, r.reasons) for r in records)
    cell = "by_difficulty/easy/by_task_type/simple_task"
    assert quarantined == [
        (f"models/M/by_prompt_type/cot/by_tool_success_rate/0.8/{cell}", ("successes (3) + partials (0) exceed 'total' (2)",)),
        ("models/M/by_prompt_type/cot/by_tool_success_rate/0.9/by_difficulty", ("'by_difficulty' must be an object keyed by difficulty",)),
        (f"models/M/by_prompt_type/cot/by_tool_success_rate/1.0/{cell}", ("field 'total' is 2147483648, expected an integer >= 0 and <= 2147483647",)),
        (f"models/M/by_prompt_type/cot/by_tool_success_rate/high/{cell}", ("tool success rate key 'high' is not a number in [0, 1]",)),
    ]


def test_single_pretty_printed_object_is_not_mistaken_for_jsonl(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"model": "m", "prompt_type": "p"}, indent=2))
    records, rejections = read_file(path)
    assert records == [] and "not a master_database.json" in str(rejections[0])


def test_discover_expands_directories_and_reports_missing_paths(fixture_logs, tmp_path):
    root = fixture_logs["shard_a"].parent.parent
    (root / "notes.txt").write_text("not a log")
    files, problems = discover([root, fixture_logs["shard_a"], tmp_path / "nope"])
    assert [f.name for f in files] == ["master_database.json", "master_database_old.json", "shard_a.jsonl", "shard_b.jsonl", "shard_c.json"]
    assert [str(p) for p in problems] == [f"{tmp_path / 'nope'}: no such file or directory"]
