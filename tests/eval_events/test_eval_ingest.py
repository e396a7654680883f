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
        batch = con.execute("select mode, file_count, records_landed, records_rejected, records_quarantined "
                            "from raw.eval_event_batches").fetchall()
        assert batch == [("quarantine", 5, 16, 0, 0)]


def test_reingesting_the_same_files_adds_no_rows(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_eval_events([fixture_logs["shard_a"], fixture_logs["legacy_new"]], warehouse)
    before = counts(warehouse)["eval_events"]
    again = ingest_eval_events([fixture_logs["shard_a"], fixture_logs["legacy_new"]], warehouse)
    assert (again.records_landed, again.records_already_landed) == (0, 8)
    assert counts(warehouse)["eval_events"] == before == 8
    assert counts(warehouse)["eval_event_batches"] == 2  # the no-op run is still recorded


TURNS_REASON = "field 'turns' is the string 'many', expected a number"


def test_a_bad_record_is_quarantined_and_the_rest_of_its_batch_lands(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    with fixture_logs["shard_b"].open("a") as f:
        f.write('{"model": "m", "prompt_type": "p", "task_type": "t", "success": true, "test_id": "x", "turns": "many"}\n')
        f.write("{truncated by a shard that was still writ\n")
    summary = ingest_eval_events([fixture_logs["shard_b"]], warehouse)
    assert (summary.records_read, summary.records_landed, summary.records_quarantined) == (6, 6, 2)
    assert [(q.source_locator, q.reason.split(":")[0]) for q in summary.quarantined] == [
        ("line 5", TURNS_REASON.split(":")[0]), ("line 6", "invalid JSON")]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select source_locator, record_kind, quarantine_reasons from raw.eval_events "
                           "where quarantine_reasons is not null order by 1").fetchall()
        assert rows[0] == ("line 5", "test", TURNS_REASON)
        assert rows[1][:2] == ("line 6", "unparsed")
        # the unparsable line is kept verbatim, as a JSON string
        assert con.execute("select record ->> '$' from raw.eval_events where record_kind = 'unparsed'").fetchone() == \
            ("{truncated by a shard that was still writ",)


def test_one_bad_record_lands_nothing_in_strict_mode(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_eval_events([fixture_logs["shard_a"]], warehouse)
    before = counts(warehouse)
    with fixture_logs["shard_b"].open("a") as f:
        f.write('{"model": "m", "prompt_type": "p", "task_type": "t", "success": true, "test_id": "x", "turns": "many"}\n')
    with pytest.raises(EvalIngestError) as err:
        ingest_eval_events([fixture_logs["shard_b"], fixture_logs["shard_c"]], warehouse, strict=True)
    assert str(err.value) == f"{fixture_logs['shard_b']} line 5: {TURNS_REASON}; nothing was landed"
    assert err.value.records_read == 9 and len(err.value.rejections) == 1
    assert counts(warehouse) == before  # not even the valid records of the same batch


def test_an_unreadable_file_fails_the_batch_unless_skip_bad(fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes('{"model": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(EvalIngestError) as err:
        ingest_eval_events([fixture_logs["shard_b"], latin1], warehouse)
    assert str(err.value) == f"{latin1}: not UTF-8 text (invalid continuation byte at byte 14); nothing was landed"
    assert not warehouse.exists() or counts(warehouse)["eval_events"] == 0
    summary = ingest_eval_events([fixture_logs["shard_b"], latin1], warehouse, skip_bad=True)
    assert (summary.records_landed, len(summary.rejections)) == (4, 1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select source_file, source_locator from raw.eval_event_rejects").fetchall() == [(str(latin1), "")]
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
    assert "quarantined   0" in result.output
    assert "landed        12 (12 test)" in result.output
    assert "already there 1" in result.output


def test_cli_exit_codes_quarantine_3_strict_1(cli, fixture_logs, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    with fixture_logs["shard_a"].open("a") as f:
        f.write('{"model": "", "prompt_type": "p", "task_type": "t", "success": true, "test_id": 1}\n')
    reason = "field 'model' is a string '', expected a non-empty string"
    strict = cli(fixture_logs["shard_a"], fixture_logs["shard_b"], "--strict", "--warehouse", warehouse)
    assert strict.exit_code == 1
    assert f"error: {fixture_logs['shard_a']} line 6: {reason}; nothing was landed" in strict.output
    assert "accepted 10, rejected 1, landed 0" in strict.output
    assert not warehouse.exists() or counts(warehouse)["eval_events"] == 0
    default = cli(fixture_logs["shard_a"], fixture_logs["shard_b"], "--warehouse", warehouse)
    assert default.exit_code == 3, default.output
    assert "quarantined   1" in default.output
    assert f"  quarantined {fixture_logs['shard_a']} line 6: {reason}" in default.output
    assert counts(warehouse)["eval_events"] == 10


def test_cli_missing_path_is_an_error(cli, tmp_path):
    result = cli(tmp_path / "missing.jsonl", "--warehouse", tmp_path / "wh.duckdb")
    assert result.exit_code == 1
    assert "missing.jsonl: no such file or directory" in result.output
