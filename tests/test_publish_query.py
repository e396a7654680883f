"""Publishing and ad-hoc SQL: readers never fight the build's lock, and see whole warehouses only."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import duckdb
import pytest

from semibench.publish import PublishError, publish
from semibench.query import QueryError, export_table, render, run_query


@pytest.fixture
def warehouse(tmp_path):
    wh = tmp_path / "wh" / "semibench.duckdb"
    wh.parent.mkdir()
    con = duckdb.connect(str(wh))
    con.execute("create table fct_demo as select i as id, i * 1.5 as value from range(5) t(i)")
    con.close()
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
