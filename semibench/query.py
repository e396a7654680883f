"""Ad-hoc SQL and exports against the published (read-only) warehouse."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TextIO

import duckdb

from semibench.publish import connect_published

FORMATS = ("table", "csv", "json", "markdown")


class QueryError(RuntimeError):
    pass


def run_query(sql: str, published: Path | None = None) -> tuple[list[str], list[tuple]]:
    con = connect_published(published)
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return [], []
        columns = [d[0] for d in cur.description]
        return columns, cur.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def render(columns: list[str], rows: list[tuple], fmt: str, out: TextIO = sys.stdout, max_rows: int | None = None) -> None:
    shown = rows if max_rows is None else rows[:max_rows]
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(shown)
    elif fmt == "json":
        json.dump([dict(zip(columns, r)) for r in shown], out, default=str, indent=1)
        out.write("\n")
    elif fmt == "markdown":
        out.write("| " + " | ".join(columns) + " |\n")
        out.write("|" + "---|" * len(columns) + "\n")
        for r in shown:
            out.write("| " + " | ".join(_cell(v) for v in r) + " |\n")
    elif fmt == "table":
        cells = [[_cell(v) for v in r] for r in shown]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
        numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in shown) for i in range(len(columns))]

        def line(values):
            return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

        out.write(line(columns) + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for row in cells:
            out.write(line(row) + "\n")
    else:
        raise QueryError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out.flush()  # the row-count footer goes to stderr; keep it after the table on a shared terminal
    if len(shown) < len(rows):
        print(f"({len(rows)} rows, first {len(shown)} shown; use --max-rows 0 for all)", file=sys.stderr)
    elif fmt == "table":
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)


def export_table(table: str, out: Path, published: Path | None = None) -> int:
    """Write a whole table or view to CSV or Parquet (chosen by the file suffix); returns the row count."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise QueryError(f"{out}: export format is chosen by suffix; use .csv or .parquet")
    if not all(part.replace("_", "").isalnum() for part in table.split(".")):
        raise QueryError(f"{table!r} is not a table name")
    con = connect_published(published)
    try:
        n = con.execute(f"select count(*) from {table}").fetchone()[0]
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        options = "(format csv, header true)" if suffix == ".csv" else "(format parquet, compression zstd)"
        con.execute(f"copy (select * from {table} order by all) to '{tmp}' {options}")
        tmp.replace(out)
        return n
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
