"""--from the shared fixtures, an archive capture and a db dump: archived content-addressed, landed raw in
one transaction, re-landing lands nothing new, bad files fail, bad records land and are counted."""

from __future__ import annotations

import json
import os
import stat

import duckdb
import pytest

from ingest.config import Config
from ingest.errors import EXIT_QUARANTINED, IngestError
from ingest.inferencex import ingest_inferencex
from ingest.cli import parse_fetched_at
from tests.inferencex.conftest import SYNTHETIC_DUMP, odd_capture


def land(from_dir, tmp_path, fetched_at=None):
    return ingest_inferencex(Config(), from_dir=from_dir, warehouse=tmp_path / "w.duckdb",
                             archive_root=tmp_path / "archive", fetched_at=parse_fetched_at(fetched_at))


def counts(tmp_path) -> dict[str, int]:
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.inferencex_{t}").fetchall()[0][0]
                for t in ("captures", "files", "records", "capture_records", "fetches")}


def test_fixtures_land_once_and_again_lands_nothing_new(fixtures, tmp_path):
    first = land(fixtures, tmp_path, "2026-06-15T00:00:00Z")
    assert first.was_new and first.source_kind == "fixture" and first.records_quarantined == 0
    assert first.routes["benchmarks"] == 435 and first.routes["benchmarks/history"] == 1462
    assert first.records_new == counts(tmp_path)["records"] < first.records_read  # repeats stored once
    after_first = counts(tmp_path)

    second = land(fixtures, tmp_path, "2026-06-16T00:00:00Z")
    assert second.capture_id == first.capture_id and not second.was_new and second.records_new == 0
    after_second = counts(tmp_path)
    assert after_second == {**after_first, "fetches": 2}

    # the archive: one capture dir, read-only files whose sha256 the manifest records, and a fetch log
    capture_dir = tmp_path / "archive" / "inferencex" / first.capture_id
    manifest = json.loads((capture_dir / "manifest.json").read_text())
    assert {f["route"] for f in manifest["files"]} >= {"benchmarks", "benchmarks/history", "workflow-info"}
    stored = capture_dir / manifest["files"][0]["stored_as"]
    assert not os.stat(stored).st_mode & stat.S_IWUSR
    log = (tmp_path / "archive" / "inferencex" / "fetches.jsonl").read_text().splitlines()
    assert [json.loads(line)["was_new"] for line in log] == [True, False]


def test_replaying_an_archive_capture_keeps_its_source_and_time(fixtures, tmp_path):
    first = land(fixtures, tmp_path, "2026-06-15T00:00:00Z")
    replay = land(tmp_path / "archive" / "inferencex" / first.capture_id, tmp_path / "other")
    assert replay.capture_id == first.capture_id and replay.was_new
    assert replay.source == first.source and replay.source_kind == "fixture"
    assert replay.fetched_at == first.fetched_at


def test_bad_records_land_verbatim_and_are_counted(fixtures, tmp_path, workspace):
    odd = odd_capture(tmp_path / "odd", fixtures)
    proc = workspace.cli("ingest", "inferencex", "--from", str(odd))
    assert proc.returncode == EXIT_QUARANTINED, proc.stderr
    assert "records_quarantined 1" in proc.stdout  # the non-numeric metric; unknown values are found by dbt
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        rows = con.execute("select problems, notes, record ->> '$.metrics.tput_per_gpu' from raw.inferencex_records "
                           "where problems is not null or notes like '%tput_per_gpu%'").fetchall()
    assert sorted(rows, key=str) == [("metrics.tput_per_gpu is 'fast', not a number", None, "fast"),
                                     (None, "metrics.tput_per_gpu is a numeric string", "123.5")]


@pytest.mark.parametrize("name, body, message", [
    ("benchmarks.json", b'{"rows": []}', r"benchmarks.json: expected a JSON array of records, got an object"),
    ("workflow-info.json", b'[]', r"workflow-info.json: expected an object with 'runs' and 'changelogs' arrays"),
    ("reliability.json", b'[{"hardware": "b200", "da', r"reliability.json: not valid JSON \(truncated\?\)"),
])
def test_a_bad_file_fails_the_whole_capture(fixtures, tmp_path, name, body, message):
    bad = odd_capture(tmp_path / "bad", fixtures)
    (bad / name).write_bytes(body)
    with pytest.raises(IngestError, match=message):
        land(bad, tmp_path)
    assert not (tmp_path / "w.duckdb").exists() or counts(tmp_path)["captures"] == 0


def test_a_db_dump_lands_every_table(tmp_path):
    result = land(SYNTHETIC_DUMP, tmp_path, "2026-01-07T00:00:00Z")
    assert result.source_kind == "db_dump"
    assert result.routes == {"dump/configs": 3, "dump/workflow_runs": 3, "dump/benchmark_results": 5,
                             "dump/eval_results": 1, "dump/run_stats": 2, "dump/changelog_entries": 1,
                             "dump/availability": 2}
    assert land(SYNTHETIC_DUMP, tmp_path).records_new == 0


def test_an_unknown_table_in_a_dump_is_an_error(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    for f in SYNTHETIC_DUMP.glob("*.json"):
        (dump / f.name).write_bytes(f.read_bytes())
    (dump / "benchmark_rows.json").write_text("[]")
    with pytest.raises(IngestError, match=r"benchmark_rows.json: not a table of an InferenceX db dump"):
        land(dump, tmp_path)


def test_a_directory_with_nothing_known_is_an_error(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "data.json").write_text("[]")
    with pytest.raises(IngestError, match=r"no InferenceX files found"):
        land(tmp_path / "x", tmp_path)
