"""The InferenceX JSON is parsed once per record (base_inferencex__parsed_records, incremental): a build after
a new capture parses only that capture's new records, a retired capture's records leave the table, and the
table always equals a full parse."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import duckdb

from ingest.config import Config
from ingest.inferencex import ingest_inferencex
from semibench.dbt_runner import run_dbt
from semibench.ops.batches import retire

PARSED = "staging.base_inferencex__parsed_records"
SELECT = ["build", "--select", "+base_inferencex__parsed_records"]


def parsed_state(warehouse) -> tuple[list, int]:
    """(every row but parsed_at, rows written by the last build)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = [r[0] for r in con.execute(f"describe {PARSED}").fetchall() if r[0] != "parsed_at"]
        rows = con.execute(f"select {', '.join(columns)} from {PARSED} order by record_kind, record_sha256").fetchall()
        last = con.execute(f"select count(*) from {PARSED} where parsed_at = (select max(parsed_at) from {PARSED})").fetchall()[0][0]
    finally:
        con.close()
    return rows, last


def build(warehouse, tmp_path, *extra):
    result = run_dbt([*SELECT, *extra], warehouse=warehouse, target_dir=tmp_path / "target")
    assert result.ok, "\n".join(result.output_tail[-20:])


def next_day(fixtures, out):
    """One new `benchmarks` response: the first 10 real rows, a day later, under new run ids."""
    out.mkdir()
    rows = json.loads((fixtures / "benchmarks.json").read_text())[:10]
    rows = [{**r, "date": "2031-01-02", "run_url": f"https://github.com/x/y/actions/runs/{9000 + i}/attempts/1"}
            for i, r in enumerate(rows)]
    (out / "benchmarks.json").write_text(json.dumps(rows))
    return out


def test_builds_parse_only_new_records_and_follow_retirements(fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt-logs"))
    warehouse, archive = tmp_path / "w.duckdb", tmp_path / "archive"
    when = datetime(2026, 11, 1, tzinfo=timezone.utc)
    ingest_inferencex(Config(), from_dir=fixtures, warehouse=warehouse, archive_root=archive, fetched_at=when)
    build(warehouse, tmp_path)
    first, parsed_first = parsed_state(warehouse)
    assert parsed_first == len(first) > 1000

    # a new capture: only its 10 records are parsed (none of the stored ones again); the table equals a
    # full parse
    new = ingest_inferencex(Config(), from_dir=next_day(fixtures, tmp_path / "next"), warehouse=warehouse,
                            archive_root=archive, fetched_at=datetime(2026, 11, 2, tzinfo=timezone.utc))
    build(warehouse, tmp_path)
    grown, parsed_now = parsed_state(warehouse)
    assert (len(grown), parsed_now) == (len(first) + 10, 10)
    build(warehouse, tmp_path, "--full-refresh")
    assert parsed_state(warehouse)[0] == grown

    # the new capture retired: its records leave the parsed table on the next incremental build
    retire(warehouse, archive, new.capture_id, "test: not a real capture")
    build(warehouse, tmp_path)
    assert parsed_state(warehouse)[0] == first

