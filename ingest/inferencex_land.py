"""Land one checked InferenceX capture in the raw tables, in one transaction: the capture, its files, the
records not landed before (content-addressed per record kind), the capture's membership rows and a fetch
row all become visible together, or nothing does. Landing the same capture again adds only a fetch row
(none at all for a replay of the same fetch time)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from ingest.archive import utc
from ingest.errors import IngestError
from ingest.inferencex_archive import Capture
from ingest.inferencex_routes import WORKFLOW_INFO_PARTS
from ingest.inferencex_validate import CheckedFile

_RECORDS_VIEW = "_inferencex_incoming_records"


def _naive_utc(dt: datetime) -> datetime:
    # columns are TIMESTAMP (no zone) holding UTC, like the other raw tables
    return utc(dt).replace(tzinfo=None)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


@dataclass(frozen=True)
class Landed:
    was_new: bool
    records_new: int
    loaded_at: datetime


def landed_workflow_dates(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Dates whose workflow-info response is already landed (from the API; fixture files carry no date)."""
    rows = con.execute("select distinct params ->> 'date' from raw.inferencex_files "
                       "where route = 'workflow-info' and params ->> 'date' is not null").fetchall()
    return {r[0] for r in rows}


def _incoming(capture: Capture, checked: list[CheckedFile], fetched: datetime, loaded: datetime) -> pa.Table:
    cols: dict[str, list] = {k: [] for k in ("record_kind", "record_sha256", "record", "problems", "notes",
                                             "source_file", "record_locator", "record_index")}
    for f in checked:
        for r in f.records:
            cols["record_kind"].append(r.kind)
            cols["record_sha256"].append(r.sha256)
            cols["record"].append(r.text)
            cols["problems"].append("; ".join(r.problems) or None)
            cols["notes"].append("; ".join(r.notes) or None)
            cols["source_file"].append(f.file_name)
            cols["record_locator"].append(r.locator)
            cols["record_index"].append(r.index)
    table = {k: pa.array(v, pa.int32() if k == "record_index" else pa.string()) for k, v in cols.items()}
    n = len(cols["record_kind"])
    table["capture_id"] = pa.array([capture.capture_id] * n, pa.string())
    table["fetched_at"] = pa.array([fetched] * n, pa.timestamp("us"))
    table["loaded_at"] = pa.array([loaded] * n, pa.timestamp("us"))
    return pa.table(table)


def land_capture(con: duckdb.DuckDBPyConnection, capture: Capture, checked: list[CheckedFile], *,
                 archive_path: str, manifest: dict) -> Landed:
    loaded_at = datetime.now(timezone.utc)
    loaded, fetched = _naive_utc(loaded_at), _naive_utc(capture.fetched_at)
    cid = capture.capture_id
    by_name = {f.file_name: f for f in capture.files}
    records_new = 0
    try:
        con.begin()
        try:
            exists = bool(con.execute("select 1 from raw.inferencex_captures where capture_id = ?", [cid]).fetchall())
            if not exists:
                total = sum(len(f.records) for f in checked)
                quarantined = sum(f.quarantined for f in checked)
                con.execute("insert into raw.inferencex_captures values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json)",
                            [cid, capture.source, capture.source_kind, fetched, loaded, len(checked), total,
                             quarantined, archive_path, json.dumps(manifest)])
                con.executemany(
                    "insert into raw.inferencex_files values (?, ?, ?, ?, ?::json, ?, ?, ?, ?, ?)",
                    [[cid, f.file_name, f.route, by_name[f.file_name].url, json.dumps(by_name[f.file_name].params),
                      by_name[f.file_name].sha256, len(by_name[f.file_name].body), len(f.records),
                      _naive_utc(by_name[f.file_name].fetched_at), loaded] for f in checked])
                con.register(_RECORDS_VIEW, _incoming(capture, checked, fetched, loaded))
                try:
                    con.execute(f"""insert into raw.inferencex_capture_records
                                    select capture_id, source_file, record_index, record_kind, record_sha256
                                    from {_RECORDS_VIEW}""")
                    before = con.execute("select count(*) from raw.inferencex_records").fetchall()[0][0]
                    # first occurrence within the capture wins; content landed by an earlier capture stays
                    # with that capture (its lineage)
                    con.execute(f"""
                        insert into raw.inferencex_records
                        select record_kind, record_sha256, record::json, problems, notes, capture_id, source_file,
                               record_locator, fetched_at, loaded_at
                        from (select *, row_number() over (partition by record_kind, record_sha256
                                                           order by source_file, record_index) as copy_number
                              from {_RECORDS_VIEW}) i
                        where copy_number = 1 and not exists (
                            select 1 from raw.inferencex_records e
                            where e.record_kind = i.record_kind and e.record_sha256 = i.record_sha256)""")
                    records_new = con.execute("select count(*) from raw.inferencex_records").fetchall()[0][0] - before
                finally:
                    con.unregister(_RECORDS_VIEW)
            con.execute("""insert into raw.inferencex_fetches
                           select ?, ?, ?, ?, ? where not exists (
                               select 1 from raw.inferencex_fetches where capture_id = ? and fetched_at = ?)""",
                        [cid, capture.source, fetched, loaded, not exists, cid, fetched])
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except duckdb.Error as exc:
        raise IngestError(f"landing capture {cid} failed, nothing was landed: {_one_line(exc)}") from exc
    return Landed(not exists, records_new, loaded_at)


def unland_capture(con: duckdb.DuckDBPyConnection, capture_id: str) -> dict[str, int]:
    """Remove one capture from the raw tables, inside the caller's transaction; raw table -> rows removed.

    Records are stored once, under the first capture that brought them (their lineage). A record this
    capture brought that a later capture also holds stays, re-attributed to the earliest remaining capture
    holding it; only records no other capture holds are deleted."""
    removed: dict[str, int] = {}
    for table in ("inferencex_capture_records", "inferencex_files", "inferencex_fetches", "inferencex_captures"):
        removed[table] = con.execute(f"delete from raw.{table} where capture_id = ?", [capture_id]).fetchall()[0][0]
    part_of_kind = {kind: part for part, kind in WORKFLOW_INFO_PARTS.items()}
    locator = "case record_kind " + " ".join(
        f"when '{kind}' then '{part}['" for kind, part in part_of_kind.items()) + " else '[' end"
    con.execute(f"""
        update raw.inferencex_records as r
        set capture_id = heir.capture_id, source_file = heir.source_file,
            record_locator = heir.record_locator, fetched_at = heir.fetched_at
        from (
            select record_kind, record_sha256,
                arg_min(cr.capture_id, (c.fetched_at, cr.capture_id, cr.source_file, cr.record_index)) as capture_id,
                arg_min(cr.source_file, (c.fetched_at, cr.capture_id, cr.source_file, cr.record_index)) as source_file,
                arg_min({locator} || cr.record_index || ']',
                        (c.fetched_at, cr.capture_id, cr.source_file, cr.record_index)) as record_locator,
                min(c.fetched_at) as fetched_at
            from raw.inferencex_capture_records as cr
            inner join raw.inferencex_captures as c using (capture_id)
            group by record_kind, record_sha256
        ) as heir
        where r.capture_id = ? and r.record_kind = heir.record_kind and r.record_sha256 = heir.record_sha256""",
                [capture_id])
    removed["inferencex_records"] = con.execute("delete from raw.inferencex_records where capture_id = ?",
                                                [capture_id]).fetchall()[0][0]
    return removed
