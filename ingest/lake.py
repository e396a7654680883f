"""The raw lake: every raw landing table mirrored as Parquet, partitioned by date, for engines other than
DuckDB (Spark reads it as external tables; see macros/spark/raw_lake.sql).

Layout: ``<lake>/<table>/<partition column>=<YYYY-MM-DD>/<batch file>.parquet``, one file per landed batch
(an InferenceMAX snapshot, an eval/vLLM batch, a loadgen run, a pipeline run) and date. DuckDB's raw
tables stay the system of record (landing there is one transaction); the lake is derived from them by
`sync_lake`, which is idempotent:

* a batch's file name carries a fingerprint of its rows (count and newest ``loaded_at``, or a hash of the
  rows for tables rewritten in place), so a batch that changed (a loadgen trace that grew, a pipeline run
  that finished) gets a new file and the old one is removed; an unchanged batch is never rewritten;
* files are written under ``<lake>/.staging-*`` and moved into place with ``os.replace``, so a reader
  never sees a half-written file, and a sync killed half-way is finished by the next one;
* batches that left DuckDB (retention, a replaced run) lose their files.

Every table directory also holds ``<partition column>=1970-01-01/schema.parquet``, a zero-row file with
the table's columns: Spark cannot infer the schema of an empty directory, and an empty raw table (no
rejects yet) must still register and build.

JSON columns are written as plain strings (Spark does not know DuckDB's JSON logical type); lists stay
Parquet lists.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA_PARTITION = "1970-01-01"
SCHEMA_FILE = "schema.parquet"
STALE_STAGING_S = 3600


@dataclass(frozen=True)
class LakeTable:
    name: str
    batch_key: str  # SQL expression naming the batch a row belongs to
    partition_column: str  # the hive partition column Spark sees (a date)
    partition_date: str  # SQL expression for its value
    fingerprint: str = "count(*) || '|' || max(t.loaded_at)"
    source: str | None = None  # FROM clause when the date needs a join; default raw.<name> as t


def _run_date(alias: str) -> str:
    # a run's wall-clock start date; a killed run without a start time falls back to its landing date
    return (f"coalesce(cast(make_timestamp({alias}.start_unix_ns // 1000) as date), "
            f"cast({alias}.loaded_at as date))")


LAKE_TABLES: tuple[LakeTable, ...] = (
    LakeTable("inferencemax_snapshots", "t.snapshot_id", "snapshot_date", "cast(t.fetched_at as date)"),
    LakeTable("inferencemax_files", "t.snapshot_id", "snapshot_date", "cast(t.fetched_at as date)"),
    LakeTable("inferencemax_points", "t.snapshot_id", "snapshot_date", "cast(t.fetched_at as date)"),
    # a re-fetch of known content adds a row to its snapshot's batch (the count changes)
    LakeTable("inferencemax_fetches", "t.snapshot_id", "fetch_date", "cast(t.fetched_at as date)"),
    LakeTable("eval_event_batches", "t.batch_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("eval_events", "t.batch_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("eval_event_rejects", "t.batch_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("vllm_result_batches", "t.batch_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("vllm_results", "t.batch_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("vllm_result_rejects", "t.batch_id", "load_date", "cast(t.loaded_at as date)"),
    # a grown trace replaces its run (new batch_id and loaded_at): the fingerprint changes with it
    LakeTable("loadgen_runs", "t.run_id", "run_date", _run_date("t"),
              fingerprint="count(*) || '|' || max(t.loaded_at) || '|' || max(t.batch_id)"),
    LakeTable("loadgen_requests", "t.run_id", "run_date", _run_date("r"),
              source="raw.loadgen_requests as t join raw.loadgen_runs as r on r.run_id = t.run_id"),
    # find-max / sweep results and scraped server gauges (docs/loadgen_workloads.md): Spark gets the raw rows;
    # their staging views are DuckDB-only for now
    LakeTable("loadgen_sweeps", "t.batch_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("loadgen_server_metrics", "t.run_id", "load_date", "cast(t.loaded_at as date)"),
    # InferenceX (ingest/inferencex_schema.sql): every row of a capture shares its loaded_at
    LakeTable("inferencex_captures", "t.capture_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("inferencex_files", "t.capture_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("inferencex_records", "t.capture_id", "load_date", "cast(t.loaded_at as date)"),
    LakeTable("inferencex_capture_records", "t.capture_id", "load_date", "cast(c.loaded_at as date)",
              fingerprint="count(*) || '|' || max(c.loaded_at)",
              source="raw.inferencex_capture_records as t join raw.inferencex_captures as c on c.capture_id = t.capture_id"),
    LakeTable("inferencex_fetches", "t.capture_id", "fetch_date", "cast(t.fetched_at as date)"),
    # rewritten in place on every run-log sync (a run's status and end change): hash the rows
    LakeTable("pipeline_runs", "t.run_id", "run_date", "cast(t.started_at as date)",
              fingerprint="cast(bit_xor(hash(t)) as varchar)"),
)


@dataclass
class SyncSummary:
    written: int = 0
    removed: int = 0
    unchanged: int = 0
    rows_written: int = 0

    def __str__(self) -> str:
        return (f"lake: {self.written} file(s) written ({self.rows_written:,} rows), "
                f"{self.removed} removed, {self.unchanged} unchanged")


def default_lake_dir(warehouse: Path) -> Path:
    return Path(warehouse).parent / "lake"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position", [table]
    ).fetchall()


def _select_list(columns: list[tuple[str, str]]) -> str:
    return ", ".join(
        f't."{name}"::varchar as "{name}"' if dtype == "JSON" else f't."{name}"' for name, dtype in columns
    )


def _file_stem(key_expr: str, fingerprint_expr: str) -> str:
    # readable prefix of the batch key (path-safe) + a hash of key and fingerprint
    return (f"regexp_replace(left({key_expr}, 40), '[^A-Za-z0-9_-]', '_', 'g') || '-' || "
            f"left(md5({key_expr} || chr(0) || {fingerprint_expr}), 16)")


def _existing_files(table_dir: Path, partition_column: str) -> dict[tuple[str, str], list[Path]]:
    """(partition value, file stem) -> files, for the batch files now in the lake."""
    found: dict[tuple[str, str], list[Path]] = {}
    if not table_dir.is_dir():
        return found
    for part_dir in table_dir.glob(f"{partition_column}=*"):
        value = part_dir.name.split("=", 1)[1]
        if value == SCHEMA_PARTITION:
            continue
        for f in part_dir.glob("*.parquet"):
            found.setdefault((value, f.name.split(".", 1)[0]), []).append(f)
    return found


def _schema_fingerprint(columns: list[tuple[str, str]]) -> str:
    return hashlib.sha256(repr(columns).encode()).hexdigest()[:16]


def _write_schema_file(con, spec: LakeTable, columns, table_dir: Path, staging: Path) -> bool:
    part = table_dir / f"{spec.partition_column}={SCHEMA_PARTITION}"
    target = part / SCHEMA_FILE
    marker = part / f".{_schema_fingerprint(columns)}"
    if target.exists() and marker.exists():
        return False
    tmp = staging / f"{spec.name}-schema.parquet"
    con.execute(f"copy (select {_select_list(columns)} from raw.{spec.name} as t limit 0) "
                f"to '{tmp}' (format parquet)")
    part.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    for old in part.glob(".*"):
        old.unlink()
    marker.touch()
    return True


def sync_table(con: duckdb.DuckDBPyConnection, spec: LakeTable, lake_dir: Path, staging: Path) -> SyncSummary:
    summary = SyncSummary()
    columns = _columns(con, spec.name)
    if not columns:
        return summary
    table_dir = lake_dir / spec.name
    _write_schema_file(con, spec, columns, table_dir, staging)
    source = spec.source or f"raw.{spec.name} as t"
    wanted = con.execute(
        f"select strftime(pdate, '%Y-%m-%d'), {_file_stem('batch_key', 'fp')}, batch_key, n "
        f"from (select {spec.partition_date} as pdate, {spec.batch_key} as batch_key, "
        f"{spec.fingerprint} as fp, count(*) as n from {source} group by all)"
    ).fetchall()
    existing = _existing_files(table_dir, spec.partition_column)
    missing = [(pdate, s, key, n) for pdate, s, key, n in wanted if (pdate, s) not in existing]
    summary.unchanged = len(wanted) - len(missing)
    if missing:
        out = staging / spec.name
        con.execute("create or replace temp table _lake_missing (pdate date, stem varchar, batch_key varchar)")
        con.executemany("insert into _lake_missing values (?, ?, ?)", [(p, s, k) for p, s, k, _ in missing])
        con.execute(
            f"copy (select {_select_list(columns)}, m.pdate as __pdate, m.stem as __stem from {source} "
            f"join _lake_missing as m on m.batch_key = {spec.batch_key} and m.pdate = {spec.partition_date}) "
            f"to '{out}' (format parquet, partition_by (__pdate, __stem), filename_pattern 'part_{{i}}')"
        )
        con.execute("drop table _lake_missing")
        for pdate, s, _key, n in missing:
            src_dir = out / f"__pdate={pdate}" / f"__stem={s}"
            dest_dir = table_dir / f"{spec.partition_column}={pdate}"
            dest_dir.mkdir(parents=True, exist_ok=True)
            parts = sorted(src_dir.glob("*.parquet"))
            for i, f in enumerate(parts):
                os.replace(f, dest_dir / (f"{s}.parquet" if len(parts) == 1 else f"{s}.{i}.parquet"))
            summary.written += 1
            summary.rows_written += n
    wanted_keys = {(pdate, s) for pdate, s, _k, _n in wanted}
    for key, files in existing.items():
        if key not in wanted_keys:
            for f in files:
                f.unlink()
            summary.removed += 1
            try:
                f.parent.rmdir()  # only when the partition is now empty
            except OSError:
                pass
    return summary


def sync_lake(con: duckdb.DuckDBPyConnection, lake_dir: Path, tables: tuple[LakeTable, ...] = LAKE_TABLES,
              on_table=None) -> SyncSummary:
    """Bring the lake in line with the raw tables of `con` (see the module docstring)."""
    lake_dir = Path(lake_dir)
    lake_dir.mkdir(parents=True, exist_ok=True)
    staging = lake_dir / f".staging-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    total = SyncSummary()
    try:
        for spec in tables:
            s = sync_table(con, spec, lake_dir, staging)
            total.written += s.written
            total.removed += s.removed
            total.unchanged += s.unchanged
            total.rows_written += s.rows_written
            if on_table:
                on_table(spec.name, s)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for stale in lake_dir.glob(".staging-*"):  # left by a killed sync, not one running now
            if stale != staging and time.time() - stale.stat().st_mtime > STALE_STAGING_S:
                shutil.rmtree(stale, ignore_errors=True)
    return total
