"""An InferenceX capture is a batch like any other: `semibench batches` lists it, `batches retire` removes
it without taking records a later capture also holds, and the archive's fetch log replays every capture
landed into this warehouse (not retired) at its own fetch time."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from ingest import inferencex_archive
from ingest.config import Config
from ingest.inferencex import ingest_inferencex
from semibench.ops.batches import list_batches, retire
from tests.inferencex.conftest import odd_capture

RAW = {
    "captures": "select count(*) from raw.inferencex_captures",
    "records": "select count(*) from raw.inferencex_records",
    "held": "select count(*) from raw.inferencex_capture_records",
    "lineage": "select list((record_kind, record_sha256, capture_id, source_file, record_locator, fetched_at) "
               "order by record_kind, record_sha256) from raw.inferencex_records",
}


def raw(warehouse) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {k: con.execute(sql).fetchall()[0][0] for k, sql in RAW.items()}
    finally:
        con.close()


def test_retire_keeps_shared_records_and_replay_restores_the_rest(fixtures, tmp_path):
    warehouse, archive = tmp_path / "w.duckdb", tmp_path / "archive"
    first_time = datetime(2026, 11, 1, tzinfo=timezone.utc)
    first = ingest_inferencex(Config(), from_dir=fixtures, warehouse=warehouse, archive_root=archive,
                              fetched_at=first_time)
    fixtures_only = raw(warehouse)
    # the odd copy holds most fixture records unchanged and 4 changed ones
    odd = ingest_inferencex(Config(), from_dir=odd_capture(tmp_path / "odd", fixtures), warehouse=warehouse,
                            archive_root=archive, fetched_at=datetime(2026, 11, 2, tzinfo=timezone.utc))
    both = raw(warehouse)
    assert both["records"] == fixtures_only["records"] + 4

    con = duckdb.connect(str(warehouse))
    try:
        listed = {b.batch_id: b for b in list_batches(con) if b.family == "inferencex"}
    finally:
        con.close()
    assert set(listed) == {first.capture_id, odd.capture_id}
    assert listed[odd.capture_id].rows == both["held"] - fixtures_only["held"]
    # one record with a problem (a metric that is not a number): unknown hardware and model land valid and
    # are reported by staging, the numeric string is a note
    assert listed[odd.capture_id].quarantined == 1

    # retiring the FIRST capture must keep every record the odd capture also holds, now under the odd one
    done = retire(warehouse, archive, first.capture_id, "test: superseded")
    assert done.deleted["inferencex_captures"] == 1
    after = raw(warehouse)
    assert after["captures"] == 1
    assert after["held"] == both["held"] - fixtures_only["held"]
    # records only the first capture held are gone: the 4 it had that the odd copy changed
    assert after["records"] == both["records"] - 4
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select distinct capture_id from raw.inferencex_records").fetchall() == [(odd.capture_id,)]
        orphans = con.execute("""select count(*) from raw.inferencex_records r where not exists (
            select 1 from raw.inferencex_capture_records c where c.capture_id = r.capture_id
            and c.source_file = r.source_file and c.record_kind = r.record_kind
            and c.record_sha256 = r.record_sha256)""").fetchall()[0][0]
    finally:
        con.close()
    assert orphans == 0

    # a fresh warehouse replayed from the log: the retired capture stays out, the odd one comes back as is
    plan = inferencex_archive.logged_captures(archive, warehouse)
    assert [cid for cid, _ in plan] == [odd.capture_id]
    replayed = tmp_path / "replayed.duckdb"
    (tmp_path / "replayed.duckdb.id").write_text((tmp_path / "w.duckdb.id").read_text())
    for cid, when in plan:
        ingest_inferencex(Config(), from_dir=inferencex_archive.root(archive) / cid, fetched_at=when,
                          warehouse=replayed, archive_root=archive)
    assert raw(replayed)["held"] == after["held"]
    assert raw(replayed)["records"] == after["records"]


def test_replay_plan_follows_the_fetch_log_and_its_warehouse(fixtures, tmp_path):
    archive = tmp_path / "archive"
    here, elsewhere = tmp_path / "here.duckdb", tmp_path / "elsewhere.duckdb"
    times = [datetime(2026, 11, d, tzinfo=timezone.utc) for d in (3, 1, 2)]
    for when in times:  # the same content fetched three times, logged out of order
        ingest_inferencex(Config(), from_dir=fixtures, warehouse=here, archive_root=archive, fetched_at=when)
    ingest_inferencex(Config(), from_dir=odd_capture(tmp_path / "odd", fixtures), warehouse=elsewhere,
                      archive_root=archive, fetched_at=datetime(2026, 11, 4, tzinfo=timezone.utc))
    plan = inferencex_archive.logged_captures(archive, here)
    assert [when for _, when in plan] == sorted(times)
    assert len({cid for cid, _ in plan}) == 1
    assert len(inferencex_archive.logged_captures(archive)) == 4
