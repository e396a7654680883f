"""Landed batches of every family, and retiring one: `semibench batches [retire ID --why ...]`.

A batch is what one ingest landed: an InferenceMAX snapshot, an InferenceX capture, an eval-events or
vLLM-results batch, a loadgen traces batch (one run for `semibench loadgen` and the demo). Retiring removes every raw row of
the batch from the build warehouse in one transaction and records the retirement in
`<archive>/retirements.jsonl`, which `semibench rebuild` honours: the archive keeps the files (nothing in
it is ever rewritten), they are just never replayed.

Raw tables are found by family prefix and id column, not listed here, so a table another ingester adds
later (a quarantine table, say) is listed and retired with its family without touching this file. The
same goes for quarantine markers: a record counts as quarantined when its table has one of the columns in
QUARANTINE_MARKERS saying so (or the table is a `*quarantine*` table); none present means 0.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ingest import archive, batch_archive
from ingest.inferencex_land import unland_capture


@dataclass(frozen=True)
class Family:
    name: str
    prefix: str        # raw tables of the family: raw.<prefix>*
    key: str           # the batch id column
    batches_sql: str   # (id, landed_at) per landed batch
    records: str       # the table whose rows are counted as the batch's rows


FAMILIES = (
    Family("inferencemax", "inferencemax_", "snapshot_id",
           "select snapshot_id, loaded_at from raw.inferencemax_snapshots", "inferencemax_points"),
    Family("eval_events", "eval_event", "batch_id",
           "select batch_id, loaded_at from raw.eval_event_batches", "eval_events"),
    Family("vllm_results", "vllm_result", "batch_id",
           "select batch_id, loaded_at from raw.vllm_result_batches", "vllm_results"),
    Family("loadgen", "loadgen_", "batch_id",
           "select batch_id, min(loaded_at) from raw.loadgen_runs group by batch_id", "loadgen_requests"),
    # rows = the records the capture held (with records other captures also hold); quarantined = those it
    # brought first with problems (a record is stored once, under its first capture)
    Family("inferencex", "inferencex_", "capture_id",
           "select capture_id, loaded_at from raw.inferencex_captures", "inferencex_capture_records"),
)

# column -> SQL saying "this row is quarantined" (other ingesters may add any of these)
QUARANTINE_MARKERS = {
    "is_quarantined": '"is_quarantined"',
    "quarantined": '"quarantined"',
    "is_valid": 'not "is_valid"',
    "valid": 'not "valid"',
    "invalid_reasons": "coalesce(length(\"invalid_reasons\"::varchar), 0) > 2",
    "quarantine_reasons": "coalesce(length(\"quarantine_reasons\"::varchar), 0) > 2",
    "problems": '"problems" is not null',
}


class BatchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Batch:
    family: str
    batch_id: str
    landed_at: datetime | None
    rows: int
    quarantined: int


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute("select column_name from information_schema.columns where table_schema = "
                                      "'raw' and table_name = ? order by ordinal_position", [table]).fetchall()]


def _raw_tables(con, prefix: str) -> list[str]:
    return [r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'raw' "
                                      "and table_type = 'BASE TABLE' and starts_with(table_name, ?) order by 1",
                                      [prefix]).fetchall()]


def quarantine_predicate(con, table: str) -> str | None:
    if "quarantine" in table:
        return "true"
    marks = [sql for col, sql in QUARANTINE_MARKERS.items() if col in _columns(con, table)]
    return " or ".join(f"coalesce({m}, false)" for m in marks) or None


def valid_rows(con, table: str) -> int:
    """Rows of raw.<table> not marked quarantined (0 when the table does not exist)."""
    if not _columns(con, table):
        return 0
    pred = quarantine_predicate(con, table)
    return con.execute(f'select count(*) from raw."{table}"' + (f" where not ({pred})" if pred else "")).fetchone()[0]


def _record_counts(con, family: Family) -> tuple[dict[str, int], dict[str, int]]:
    """batch id -> rows, batch id -> quarantined rows."""
    rows: dict[str, int] = {}
    quarantined: dict[str, int] = {}
    for table in _raw_tables(con, family.prefix):
        cols = _columns(con, table)
        if family.key in cols:
            source, key = f'raw."{table}"', family.key
        elif family.name == "loadgen" and "run_id" in cols:
            source, key = f'raw."{table}" join raw.loadgen_runs using (run_id)', "batch_id"
        else:
            continue
        pred = quarantine_predicate(con, table)
        if table == family.records:
            rows = dict(con.execute(f"select {key}, count(*) from {source} group by 1").fetchall())
        if pred:
            for bid, n in con.execute(f"select {key}, count(*) from {source} where {pred} group by 1").fetchall():
                quarantined[bid] = quarantined.get(bid, 0) + n
    return rows, quarantined


def list_batches(con: duckdb.DuckDBPyConnection) -> list[Batch]:
    out = []
    for family in FAMILIES:
        rows, quarantined = _record_counts(con, family)
        for bid, landed in con.execute(family.batches_sql + " order by 2, 1").fetchall():
            out.append(Batch(family.name, bid, landed, rows.get(bid, 0), quarantined.get(bid, 0)))
    return sorted(out, key=lambda b: (b.landed_at or datetime.min, b.family, b.batch_id))


def find_batch(con, batch_id: str) -> Batch | None:
    return next((b for b in list_batches(con) if b.batch_id == batch_id), None)


@dataclass(frozen=True)
class Retired:
    batch: Batch | None        # None: it was retired before and is no longer in the warehouse
    deleted: dict[str, int]    # raw table -> rows removed
    previous: dict | None      # the earlier retirement line, if any


def retire(warehouse: Path, archive_root: Path, batch_id: str, why: str) -> Retired:
    """Remove a batch's raw rows in one transaction and log the retirement (idempotent). BatchError (one
    line) on an unknown id or a failed delete."""
    if not why.strip():
        raise BatchError("--why must say why the batch is retired (it is kept in the retirements log)")
    previous = batch_archive.retirements(archive_root).get(batch_id)
    try:
        con = duckdb.connect(str(warehouse))
    except duckdb.Error as exc:
        raise BatchError(f"{warehouse}: cannot open the build warehouse: {str(exc).splitlines()[0]}") from None
    try:
        batch = find_batch(con, batch_id)
        if batch is None:
            if previous is not None:
                return Retired(None, {}, previous)
            raise BatchError(f"no landed batch or snapshot with id {batch_id!r} in {warehouse} "
                             f"(`semibench batches` lists them)")
        if previous is None:
            # logged first: a retire killed before its delete is finished by running it again, and a
            # rebuild in between already leaves the batch out
            batch_archive.append_retirement(archive_root, {
                "id": batch_id, "family": batch.family, "why": " ".join(why.split()),
                "retired_at": archive.format_time(datetime.now(timezone.utc)),
                "by": f"{getpass.getuser()}@{socket.gethostname()}", "warehouse": str(Path(warehouse).resolve()),
                "rows": batch.rows, "quarantined": batch.quarantined})
        deleted = _delete(con, next(f for f in FAMILIES if f.name == batch.family), batch_id)
        return Retired(batch, deleted, previous)
    finally:
        con.close()


def _delete(con, family: Family, batch_id: str) -> dict[str, int]:
    if family.name == "inferencex":
        return _in_transaction(con, batch_id, lambda: unland_capture(con, batch_id))
    tables = _raw_tables(con, family.prefix)
    by_key = [t for t in tables if family.key in _columns(con, t)]
    # loadgen requests carry only their run id: delete them while their runs still name the batch
    by_run = [t for t in tables if family.name == "loadgen" and t not in by_key and "run_id" in _columns(con, t)]

    def delete() -> dict[str, int]:
        deleted = {}
        for t in by_run:
            deleted[t] = con.execute(f'delete from raw."{t}" where run_id in (select run_id from raw.loadgen_runs '
                                     "where batch_id = ?)", [batch_id]).fetchone()[0]
        for t in by_key:
            deleted[t] = con.execute(f'delete from raw."{t}" where "{family.key}" = ?', [batch_id]).fetchone()[0]
        return deleted

    return _in_transaction(con, batch_id, delete)


def _in_transaction(con, batch_id: str, delete) -> dict[str, int]:
    con.execute("begin transaction")
    try:
        deleted = delete()
        con.execute("commit")
    except BaseException as exc:
        con.execute("rollback")
        if isinstance(exc, duckdb.Error):
            raise BatchError(f"retiring {batch_id} failed, nothing was removed: {str(exc).splitlines()[0]}") from None
        raise
    return deleted
