"""Record-level quarantine of loadgen trace ingest: every poison lands verbatim with its reasons, the rest
of the run lands, --strict fails the batch, and the exit codes are 0 / 3 / 1 (fresh warehouses; the build
over a poisoned run is in test_run_to_warehouse.py, on the folder's built warehouse)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingest.errors import EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED, IngestError
from ingest.loadgen_traces import ingest_traces
from tests.loadgen_warehouse import synthetic
from tests.loadgen_warehouse.conftest import run_cli

N_POISONED_LINES = len(synthetic.POISONS) + 1  # + the line that is not JSON


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def poisoned(tmp_path) -> Path:
    return synthetic.write_poisoned_run(tmp_path / "runs" / "poisoned")


@pytest.mark.parametrize("no,change,reason", synthetic.POISONS, ids=[r[:30] for *_, r in synthetic.POISONS])
def test_each_reason_is_quarantined_and_the_rest_of_the_run_lands(no, change, reason, tmp_path):
    """One poisoned line per case in an otherwise clean run: that line lands verbatim with its reason,
    every other line lands usable, and the run is complete (end line, summary)."""
    trace = synthetic.write_placement_run(tmp_path / "r")
    lines = trace.read_text().replace(synthetic.RUN_ID, synthetic.POISONED_RUN_ID).split("\n")
    lines[no - 1] = json.dumps({**json.loads(lines[no - 1]), **change})
    trace.write_text("\n".join(lines))
    db = tmp_path / "wh.duckdb"
    batch = ingest_traces([trace], db, archive_root=tmp_path / "archive")
    assert batch.records_quarantined == 1 and batch.runs[0].status == "completed"
    assert batch.quarantined[0].startswith(f"{trace.resolve()}:{no}: ") and reason in batch.quarantined[0]
    assert rows(db, "select line_no, record from raw.loadgen_requests where quarantine_reasons is not null") == [
        (no, lines[no - 1])]
    assert rows(db, "select count(*) from raw.loadgen_requests where quarantine_reasons is null") == [
        (synthetic.N - 1,)]
    assert rows(db, "select requests_landed, end_status from raw.loadgen_runs") == [(synthetic.N - 1, "completed")]


def test_poisoned_run_keeps_every_reason_notes_and_the_usable_rest(poisoned, tmp_path):
    db = tmp_path / "wh.duckdb"
    batch = ingest_traces([poisoned], db, archive_root=tmp_path / "archive")
    run = batch.runs[0]
    # the request lines, the line that is not JSON, the half-written last line, the end line, the summary
    assert run.records_quarantined == N_POISONED_LINES + 3
    assert run.requests == synthetic.N - N_POISONED_LINES
    assert run.status is None  # its end line is quarantined: the run reads as one without end line
    got = dict(rows(db, "select line_no, quarantine_reasons from raw.loadgen_requests "
                        "where quarantine_reasons is not null"))
    for no, _, reason in synthetic.POISONS:
        assert reason in got[no], (no, got[no])
    assert got[14].startswith("not valid JSON") and "half-written" in got[43]
    (end,) = rows(db, "select end_line_no, end_quarantine_reasons, end_record, end_status, summary_quarantine_reasons "
                      "from raw.loadgen_runs")
    assert end[0] == 42 and "field 'status' is a string 'exploded'" in end[1] and '"exploded"' in end[2]
    assert end[3] is None
    assert "field 'completed' is 400, more than the 29 main-phase request lines" in end[4]
    assert "field 'failed' is -1" in end[4]  # every reason, not the first
    assert rows(db, "select input_tokens, ingest_notes from raw.loadgen_requests where line_no = 13") == [
        (1024, "field 'input_tokens' is the numeric string '1024', read as 1024")]


def test_strict_fails_the_batch_naming_the_first_bad_line(poisoned, tmp_path):
    db = tmp_path / "wh.duckdb"
    good = synthetic.write_placement_run(tmp_path / "good")
    with pytest.raises(IngestError) as exc:
        ingest_traces([good, poisoned], db, archive_root=tmp_path / "archive", strict=True)
    message = str(exc.value)
    assert message.startswith(f"{poisoned.resolve()}:3: field 'ttft_ms' is null") and "\n" not in message
    assert "more record(s) with problems); nothing was landed (--strict)" in message
    assert rows(db, "select count(*) from raw.loadgen_runs") == [(0,)]


def test_cli_exit_codes_0_3_1(poisoned, tmp_path, workspace):
    clean = synthetic.write_placement_run(tmp_path / "clean")
    ok = run_cli(workspace, "ingest", "traces", str(clean.parent))
    assert ok.returncode == EXIT_OK, ok.stdout + ok.stderr
    assert "quarantined 0" in ok.stdout

    strict = run_cli(workspace, "ingest", "traces", "--strict", str(poisoned.parent))
    assert strict.returncode == EXIT_FAILED and strict.stdout == ""
    assert strict.stderr.startswith(f"error: {poisoned.resolve()}:3: ") and len(strict.stderr.splitlines()) == 1

    landed = run_cli(workspace, "ingest", "traces", str(poisoned.parent))
    assert landed.returncode == EXIT_QUARANTINED, landed.stdout + landed.stderr
    assert f"quarantined {N_POISONED_LINES + 3}" in landed.stdout
    assert f"  quarantined {poisoned.resolve()}:14: not valid JSON" in landed.stdout

    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "trace.jsonl").write_text("")
    failed = run_cli(workspace, "ingest", "traces", str(tmp_path / "empty"))
    assert failed.returncode == EXIT_FAILED
    assert failed.stderr == f"error: {(tmp_path / 'empty' / 'trace.jsonl').resolve()}: empty file, not a trace (no run header); nothing was landed\n"


def test_old_warehouse_gains_the_quarantine_columns(tmp_path):
    """A warehouse whose loadgen tables predate quarantine (no such columns, request_id not null) migrates
    on the next ingest and takes a quarantined line."""
    db = tmp_path / "old.duckdb"
    ddl = Path(ingest_traces.__code__.co_filename).with_name("loadgen_schema.sql").read_text()
    before = ddl.split("-- Record-level quarantine")[0]  # the DDL as it was before quarantine
    before = before.replace("request_id              varchar,", "request_id              varchar   not null,")
    con = duckdb.connect(str(db))
    con.execute(before)
    assert "quarantine_reasons" not in {c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_name = 'loadgen_requests'").fetchall()}
    con.close()
    trace = synthetic.write_placement_run(tmp_path / "r")
    trace.write_text(trace.read_text() + '{"type":"req')
    batch = ingest_traces([trace], db, archive_root=tmp_path / "archive")
    assert batch.records_quarantined == 1
    assert rows(db, "select count(*) from raw.loadgen_requests where request_id is null and record is not null") == [(1,)]
