"""The raw lake (ingest/lake.py): every raw table mirrored as date-partitioned Parquet, one file per batch,
in step with DuckDB after every sync, never rewriting an unchanged batch."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from ingest.config import load_config
from ingest.eval_events import ingest_eval_events
from ingest.inferencemax import ingest_inferencemax
from ingest.lake import LAKE_TABLES, SCHEMA_PARTITION, STALE_STAGING_S, sync_lake
from ingest.loadgen_traces import ingest_traces
from ingest.raw_schema import ensure_raw_schema, raw_schema_sql
from ingest.vllm_results import ingest_vllm_results
from semibench_core import paths
from tests.loadgen_warehouse.synthetic import write_placement_run

PROJECT_DIR = Path(__file__).resolve().parents[2]


def lake_rows(lake: Path, table: str, partition_column: str) -> duckdb.DuckDBPyRelation:
    con = duckdb.connect()
    return con.execute(
        f"select * exclude ({partition_column}) from read_parquet('{lake}/{table}/*/*.parquet', "
        f"hive_partitioning = true, union_by_name = true) order by all"
    ).fetchall()


def raw_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'raw' "
        "and table_name = ? order by ordinal_position", [table]).fetchall()
    select = ", ".join(f'"{c}"::varchar' if t == "JSON" else f'"{c}"' for c, t in columns)
    return con.execute(f"select {select} from raw.{table} order by all").fetchall()


def batch_files(lake: Path, table: str) -> list[Path]:
    return sorted(p for p in (lake / table).glob("*/*.parquet") if SCHEMA_PARTITION not in p.parent.name)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """A warehouse with every family landed: the sample snapshot, the sample eval and vLLM logs, a loadgen run."""
    root = tmp_path_factory.mktemp("lake")
    warehouse, archive = root / "wh" / "semibench.duckdb", root / "archive"
    warehouse.parent.mkdir()
    ingest_inferencemax(load_config(None), from_dir=paths.sample_dir(), warehouse=warehouse,
                        archive_root=archive, progress=False)
    ingest_eval_events([paths.sample_event_dir("eval_events")], warehouse, archive_root=archive)
    ingest_vllm_results([paths.sample_event_dir("vllm_results")], warehouse, archive_root=archive)
    run_dir = root / "runs" / "placement"
    run_dir.mkdir(parents=True)
    ingest_traces([write_placement_run(run_dir)], warehouse, archive_root=archive)
    con = duckdb.connect(str(warehouse))
    ensure_raw_schema(con)
    con.close()
    return root, warehouse


def fresh_copy(landed, tmp_path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    _root, warehouse = landed
    copy = tmp_path / "semibench.duckdb"
    shutil.copy(warehouse, copy)
    return duckdb.connect(str(copy)), tmp_path / "lake"


def test_every_raw_table_is_in_the_lake_row_for_row(landed, tmp_path):
    con, lake = fresh_copy(landed, tmp_path)
    summary = sync_lake(con, lake)
    assert summary.written > 0 and summary.removed == 0
    for spec in LAKE_TABLES:
        assert lake_rows(lake, spec.name, spec.partition_column) == raw_rows(con, spec.name), spec.name


def test_partitioned_by_date_one_file_per_batch(landed, tmp_path):
    con, lake = fresh_copy(landed, tmp_path)
    sync_lake(con, lake)
    snapshots = con.execute("select snapshot_id, cast(fetched_at as date) from raw.inferencemax_snapshots").fetchall()
    files = batch_files(lake, "inferencemax_points")
    assert len(files) == len(snapshots) == 1
    assert files[0].parent.name == f"snapshot_date={snapshots[0][1]:%Y-%m-%d}"
    assert files[0].name.startswith(snapshots[0][0][:20])
    run_date = con.execute("select cast(make_timestamp(start_unix_ns // 1000) as date) from raw.loadgen_runs").fetchone()[0]
    assert [f.parent.name for f in batch_files(lake, "loadgen_requests")] == [f"run_date={run_date:%Y-%m-%d}"]


def test_a_second_sync_rewrites_nothing(landed, tmp_path):
    con, lake = fresh_copy(landed, tmp_path)
    sync_lake(con, lake)
    mtimes = {f: f.stat().st_mtime_ns for spec in LAKE_TABLES for f in batch_files(lake, spec.name)}
    again = sync_lake(con, lake)
    assert (again.written, again.removed) == (0, 0)
    assert again.unchanged == len(mtimes)
    assert {f: f.stat().st_mtime_ns for f in mtimes} == mtimes


def test_a_changed_batch_is_replaced_and_a_removed_one_deleted(landed, tmp_path):
    con, lake = fresh_copy(landed, tmp_path)
    sync_lake(con, lake)
    old_run_file, = batch_files(lake, "loadgen_runs")
    # a grown trace is landed again under a new batch id (ingest/loadgen_traces.py replaces the run)
    con.execute("update raw.loadgen_runs set batch_id = 'lgb-replaced', loaded_at = loaded_at + interval 1 hour")
    # retention removed the snapshot
    con.execute("delete from raw.inferencemax_points")
    summary = sync_lake(con, lake)
    new_run_file, = batch_files(lake, "loadgen_runs")
    assert new_run_file != old_run_file and not old_run_file.exists()
    assert batch_files(lake, "inferencemax_points") == []
    assert summary.removed == 2 and summary.written == 1
    assert lake_rows(lake, "loadgen_runs", "run_date") == raw_rows(con, "loadgen_runs")


def test_empty_tables_still_carry_their_columns(landed, tmp_path):
    con, lake = fresh_copy(landed, tmp_path)
    assert con.execute("select count(*) from raw.eval_event_rejects").fetchone()[0] == 0
    sync_lake(con, lake)
    schema_file = lake / "eval_event_rejects" / f"load_date={SCHEMA_PARTITION}" / "schema.parquet"
    reader = duckdb.connect()  # not the module-level default connection, which other tests share
    names = [r[0] for r in reader.execute(f"describe select * from read_parquet('{schema_file}', hive_partitioning = false)").fetchall()]
    expected = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' "
        "and table_name = 'eval_event_rejects' order by ordinal_position").fetchall()]
    assert names == expected
    assert reader.execute(f"select count(*) from '{schema_file}'").fetchall() == [(0,)]


def test_a_killed_syncs_leftovers_are_invisible_and_swept(landed, tmp_path):
    con, lake = fresh_copy(landed, tmp_path)
    sync_lake(con, lake)
    # what a sync killed mid-write leaves: a staging folder with a partial file; readers glob */*.parquet
    # inside table folders, so it is never read; the next sync sweeps it once it is old enough
    leftover = lake / ".staging-deadbeef0000" / "inferencemax_points"
    leftover.mkdir(parents=True)
    (leftover / "part_0.parquet").write_bytes(b"PAR1 truncated")
    old = time.time() - STALE_STAGING_S - 60
    os.utime(leftover.parent, (old, old))
    assert lake_rows(lake, "inferencemax_points", "snapshot_date") == raw_rows(con, "inferencemax_points")
    sync_lake(con, lake)
    assert not leftover.parent.exists()
    assert [p.name for p in lake.glob(".staging-*")] == []


def test_the_lake_covers_every_raw_table_and_spark_registers_them_all():
    ddl_tables = set(re.findall(r"create table if not exists raw\.(\w+)", raw_schema_sql()))
    lake_tables = {spec.name for spec in LAKE_TABLES}
    macro = (PROJECT_DIR / "macros" / "spark" / "raw_lake.sql").read_text()
    registered = set(re.findall(r"'(\w+)'", macro.split("raw_lake_tables()", 1)[1].split("endmacro", 1)[0]))
    assert lake_tables == ddl_tables
    assert registered == ddl_tables


def test_the_cli_syncs_and_reports(landed, tmp_path):
    from tests.conftest import Workspace

    ws = Workspace(tmp_path / "ws")
    ws.warehouse.parent.mkdir(parents=True)
    shutil.copy(landed[1], ws.warehouse)
    first = ws.cli("lake", "sync", check=True)
    assert re.search(r"lake: \d+ file\(s\) written", first.stdout)
    second = ws.cli("lake", "sync", check=True)
    assert "lake: 0 file(s) written (0 rows), 0 removed" in second.stdout
    assert (ws.warehouse.parent / "lake" / "inferencemax_points").is_dir()
