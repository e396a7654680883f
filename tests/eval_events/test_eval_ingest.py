"""Landing evaluation logs in a real DuckDB file, through the function and through the typer command."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from ingest.eval_cli import eval_events_command
from ingest.eval_events import EvalIngestError, ingest_eval_events


def counts(warehouse) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
                for t in ("eval_events", "eval_event_batches", "eval_event_rejects")}


@pytest.fixture
def cli():
    # a small app of our own: the lead registers the same function as `semibench ingest eval-events`
    app = typer.Typer()
    app.command("eval-events")(eval_events_command)

    @app.callback()
    def _root() -> None:
        """Keep `eval-events` a subcommand, as it will be in the real CLI."""

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["eval-events", *map(str, args)])


def test_directory_of_mixed_files_lands_every_record_once(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    root = fixture_logs["shard_a"].parent.parent
    summary = ingest_eval_events([root], warehouse)
    # 13 test records (shard_c repeats one of shard_a's with equal content) + 1 + 3 legacy cells
    assert (summary.files, summary.records_read, summary.records_landed, summary.records_already_landed) == (5, 17, 16, 1)
    assert summary.by_kind == {"test": 12, "legacy_cell": 4}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""
            select source_format, source_locator, record ->> '$.test_id'
            from raw.eval_events where source_file like '%shard_b.jsonl' order by source_locator""").fetchall()
        assert rows == [("jsonl", "line 1", "t-101"), ("jsonl", "line 2", "t-103"),
                        ("jsonl", "line 3", "t-203"), ("jsonl", "line 4", "t-204")]
        batch = con.execute("select mode, file_count, records_landed, records_rejected from raw.eval_event_batches").fetchall()
        assert batch == [("strict", 5, 16, 0)]


def test_reingesting_the_same_files_adds_no_rows(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_eval_events([fixture_logs["shard_a"], fixture_logs["legacy_new"]], warehouse)
    before = counts(warehouse)["eval_events"]
    again = ingest_eval_events([fixture_logs["shard_a"], fixture_logs["legacy_new"]], warehouse)
    assert (again.records_landed, again.records_already_landed) == (0, 8)
    assert counts(warehouse)["eval_events"] == before == 8
    assert counts(warehouse)["eval_event_batches"] == 2  # the no-op run is still recorded


def test_one_bad_record_lands_nothing_in_strict_mode(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_eval_events([fixture_logs["shard_a"]], warehouse)
    before = counts(warehouse)
    with fixture_logs["shard_b"].open("a") as f:
        f.write('{"model": "m", "prompt_type": "p", "task_type": "t", "success": true, "test_id": "x", "turns": "many"}\n')
    with pytest.raises(EvalIngestError) as err:
        ingest_eval_events([fixture_logs["shard_b"], fixture_logs["shard_c"]], warehouse)
    assert str(err.value) == f"{fixture_logs['shard_b']} line 5: field 'turns' must be a number, got 'many'; nothing was landed"
    assert err.value.records_read == 8 and len(err.value.rejections) == 1
    assert counts(warehouse) == before  # not even the valid records of the same batch


def test_skip_bad_lands_the_rest_and_records_the_rejects(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    with fixture_logs["shard_b"].open("a") as f:
        f.write("{truncated by a shard that was still writ\n")
    summary = ingest_eval_events([fixture_logs["shard_b"]], warehouse, skip_bad=True)
    assert (summary.records_landed, len(summary.rejections)) == (4, 1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reject = con.execute("select source_locator, reason from raw.eval_event_rejects").fetchall()
        assert reject[0][0] == "line 5" and reject[0][1].startswith("invalid JSON")
        assert con.execute("select mode, records_rejected from raw.eval_event_batches").fetchall() == [("skip_bad", 1)]


def test_no_records_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EvalIngestError, match="no evaluation records found"):
        ingest_eval_events([empty], tmp_path / "wh.duckdb")


def test_locked_warehouse_gives_a_clear_error(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    # another process holding the file open for writing, as `dbt build` does
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(EvalIngestError, match=r"is locked by another process \(is `dbt build` running\?\)"):
            ingest_eval_events([fixture_logs["shard_a"]], warehouse)
    finally:
        holder.kill()
        holder.wait()


def test_cli_prints_counts_and_exits_zero(cli, fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    result = cli(fixture_logs["shard_a"].parent, "--warehouse", warehouse)
    assert result.exit_code == 0, result.output
    assert "accepted      13" in result.output
    assert "rejected      0" in result.output
    assert "landed        12 (12 test)" in result.output
    assert "already there 1" in result.output


def test_cli_rejects_with_file_and_line_and_exits_nonzero(cli, fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    with fixture_logs["shard_a"].open("a") as f:
        f.write('{"model": "", "prompt_type": "p", "task_type": "t", "success": true, "test_id": 1}\n')
    result = cli(fixture_logs["shard_a"], fixture_logs["shard_b"], "--warehouse", warehouse)
    assert result.exit_code == 1
    assert f"error: {fixture_logs['shard_a']} line 6: field 'model' must be a non-empty string, got ''; nothing was landed" in result.output
    assert "accepted 9, rejected 1, landed 0" in result.output
    assert not warehouse.exists() or counts(warehouse)["eval_events"] == 0


def test_cli_missing_path_is_an_error(cli, tmp_path):
    result = cli(tmp_path / "missing.jsonl", "--warehouse", tmp_path / "wh.duckdb")
    assert result.exit_code == 1
    assert "missing.jsonl: no such file or directory" in result.output
