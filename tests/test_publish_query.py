"""Publishing and ad-hoc SQL: readers never fight the build's lock, and see whole warehouses only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import duckdb
import pytest

from ingest.raw_schema import ensure_raw_schema
from semibench.ops.build_record import record_build
from semibench.publish import PublishError, publish
from semibench.query import QueryError, export_table, render, run_query


def record(wh, returncode=0):
    record_build(wh, invocation_id=None, returncode=returncode, statuses=["success" if returncode == 0 else "error"],
                 args=[])


@pytest.fixture
def warehouse(tmp_path):
    """A minimal semibench warehouse: every raw table (empty), one mart, one successful build on record."""
    wh = tmp_path / "wh" / "semibench.duckdb"
    wh.parent.mkdir()
    con = duckdb.connect(str(wh))
    ensure_raw_schema(con)
    con.execute("create table fct_demo as select i as id, i * 1.5 as value from range(5) t(i)")
    con.close()
    record(wh)
    return wh


def hold_write_lock(path):
    """A child process that keeps the warehouse open read-write, as `dbt build` does."""
    code = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_publish_then_query_while_the_build_file_is_locked(warehouse, tmp_path):
    pub = tmp_path / "pub" / "semibench.duckdb"
    publish(warehouse, pub)
    holder = hold_write_lock(warehouse)
    try:
        columns, rows = run_query("select count(*) as n, sum(value) as s from fct_demo", pub)
        assert columns == ["n", "s"] and rows == [(5, 15.0)]
        with pytest.raises(PublishError, match="is a build running"):
            publish(warehouse, pub)
    finally:
        holder.kill()
        holder.wait()


def test_publish_replaces_atomically_and_leaves_no_temp_files(warehouse, tmp_path):
    pub = tmp_path / "pub" / "semibench.duckdb"
    publish(warehouse, pub)
    con = duckdb.connect(str(warehouse))
    con.execute("insert into fct_demo values (99, 1.0)")
    con.close()
    publish(warehouse, pub)
    assert run_query("select count(*) from fct_demo", pub)[1] == [(6,)]
    assert sorted(p.name for p in pub.parent.iterdir()) == ["semibench.duckdb"]


def test_published_copy_is_opened_read_only(warehouse, tmp_path):
    pub = tmp_path / "pub" / "semibench.duckdb"
    publish(warehouse, pub)
    with pytest.raises(QueryError, match="read-only"):
        run_query("create table sneaky as select 1", pub)


def test_missing_warehouse_or_published_copy_gives_a_clear_error(tmp_path):
    with pytest.raises(PublishError, match="no warehouse to publish"):
        publish(tmp_path / "none.duckdb", tmp_path / "pub.duckdb")
    with pytest.raises(PublishError, match="no published warehouse yet"):
        run_query("select 1", tmp_path / "pub.duckdb")


def test_render_formats():
    columns, rows = ["hw_key", "tput"], [("b200", 1234.5), ("h100", None)]
    out = io.StringIO()
    render(columns, rows, "csv", out)
    assert out.getvalue().splitlines() == ["hw_key,tput", "b200,1234.5", "h100,"]
    out = io.StringIO()
    render(columns, rows, "json", out)
    assert json.loads(out.getvalue()) == [{"hw_key": "b200", "tput": 1234.5}, {"hw_key": "h100", "tput": None}]
    out = io.StringIO()
    render(columns, rows, "table", out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["hw_key", "tput"] and lines[2].split() == ["b200", "1234.5"]
    with pytest.raises(QueryError, match="unknown format"):
        render(columns, rows, "xml", io.StringIO())


def test_export_rejects_unknown_suffix_and_injection(warehouse, tmp_path):
    pub = tmp_path / "pub" / "semibench.duckdb"
    publish(warehouse, pub)
    with pytest.raises(QueryError, match="use .csv or .parquet"):
        export_table("fct_demo", tmp_path / "out.xlsx", pub)
    with pytest.raises(QueryError, match="not a table name"):
        export_table("fct_demo; drop table x", tmp_path / "out.csv", pub)
    assert export_table("fct_demo", tmp_path / "out.csv", pub) == 5


def test_publish_refuses_a_warehouse_whose_last_build_failed(warehouse, tmp_path):
    pub = tmp_path / "pub" / "semibench.duckdb"
    publish(warehouse, pub)
    before = pub.read_bytes()
    record(warehouse, returncode=1)
    with pytest.raises(PublishError, match="last dbt build .* failed") as err:
        publish(warehouse, pub)
    assert len(str(err.value).splitlines()) == 1
    assert pub.read_bytes() == before
    assert sorted(p.name for p in pub.parent.iterdir()) == ["semibench.duckdb"]  # the refused copy is gone
    record(warehouse)
    publish(warehouse, pub)


def test_publish_refuses_an_empty_mart_over_a_full_raw_table(warehouse, tmp_path):
    con = duckdb.connect(str(warehouse))
    con.execute("""insert into raw.inferencemax_points
                   (snapshot_id, source_file, model_slug, sequence_slug, data_type, record_index, record_sha256,
                    record, fetched_at, loaded_at)
                   values ('s', 'f.json', 'm', '1k_1k', 'e2e', 0, 'h', '{}', now()::timestamp, now()::timestamp)""")
    con.execute("create table fct_inferencemax_points (x int)")
    con.close()
    record(warehouse)
    with pytest.raises(PublishError, match="fct_inferencemax_points is empty while raw.inferencemax_points holds 1 valid"):
        publish(warehouse, tmp_path / "pub" / "semibench.duckdb")
    assert not (tmp_path / "pub" / "semibench.duckdb").exists()


def test_publish_refuses_a_file_that_is_not_a_semibench_warehouse(tmp_path):
    wh = tmp_path / "other.duckdb"
    duckdb.connect(str(wh)).close()
    with pytest.raises(PublishError, match="not a complete semibench warehouse: raw tables missing"):
        publish(wh, tmp_path / "pub.duckdb")


# Each statement either writes a file, reads a file outside the warehouse, reaches the network/extensions,
# or changes the connection; all must be refused with one line and leave no file behind.
REFUSED = {
    "copy_table_to": "copy fct_demo to '{out}/a.csv'",
    "copy_select_to": "copy (select * from fct_demo) to '{out}/b.parquet' (format parquet)",
    "copy_to_build_warehouse": "copy (select 1) to '{wh}'",
    "export_database": "export database '{out}/exp'",
    "attach": "attach '{out}/new.duckdb' as x",
    "attach_build_read_write": "attach '{wh}' as w",
    "install": "install httpfs",
    "load": "load httpfs",
    "read_csv_passwd": "select * from read_csv('/etc/passwd')",
    "read_text": "select * from read_text('/etc/hostname')",
    "glob": "select * from glob('/etc/*')",
    "replacement_scan": "select * from '/etc/passwd'",
    "set": "set enable_external_access = true",
    "reset": "reset lock_configuration",
    "pragma": "pragma enable_profiling",
    "create": "create table sneaky as select 1",
    "insert": "insert into fct_demo values (1, 1)",
    "two_statements": "select 1; copy (select 1) to '{out}/c.csv'",
    "explain_analyze_copy": "explain analyze copy (select 1) to '{out}/d.csv'",
    "checkpoint": "checkpoint",
    "detach": "detach semibench",
    "call": "call pragma_version()",
}


@pytest.fixture(scope="module")
def published_pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("sql-ro")
    wh = root / "wh" / "semibench.duckdb"
    wh.parent.mkdir()
    con = duckdb.connect(str(wh))
    ensure_raw_schema(con)
    con.execute("create table fct_demo as select i as id, i * 1.5 as value from range(5) t(i)")
    con.close()
    record(wh)
    pub = publish(wh, root / "pub" / "semibench.duckdb")
    return wh, pub


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_sql_refuses_everything_but_reading(published_pair, tmp_path, kind):
    wh, pub = published_pair
    out = tmp_path / "out"
    out.mkdir()
    sql = REFUSED[kind].format(out=out, wh=wh)
    before = {p: p.read_bytes() for p in (wh, pub)}
    for db in (pub, wh):  # --db pointing at the build warehouse gets the same treatment
        with pytest.raises(QueryError) as err:
            run_query(sql, db)
        assert len(str(err.value).splitlines()) == 1
    assert list(out.iterdir()) == []
    assert {p: p.read_bytes() for p in (wh, pub)} == before  # build warehouse and published copy byte-identical


@pytest.mark.parametrize("kind", ["copy_to_build_warehouse", "read_csv_passwd", "two_statements"])
def test_sql_command_refuses_with_one_line(published_pair, tmp_path, kind):
    wh, pub = published_pair
    before = wh.read_bytes()
    env = {**os.environ, "SEMIBENCH_PUBLISHED": str(pub), "SEMIBENCH_WAREHOUSE": str(wh)}
    proc = subprocess.run([sys.executable, "-m", "semibench.cli", "sql", REFUSED[kind].format(out=tmp_path, wh=wh)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert wh.read_bytes() == before and not list(tmp_path.glob("*.csv"))


@pytest.mark.parametrize("sql", [
    "select count(*) from fct_demo", "with t as (select 1 as a) select * from t", "from fct_demo limit 1",
    "values (1, 2)", "table fct_demo", "describe fct_demo", "show tables", "summarize fct_demo",
    "explain select * from fct_demo", "explain analyze select 1", "select * from (pivot fct_demo on id in (0, 1) using sum(value))",
])
def test_sql_still_answers_every_reading_kind(published_pair, sql):
    _, pub = published_pair
    columns, rows = run_query(sql, pub)
    assert columns and rows
