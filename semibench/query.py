"""Ad-hoc SQL and exports against the published (read-only) warehouse.

`semibench sql` is read-only for real, in two independent layers:

1. the text must be exactly one statement of a reading kind: SELECT in all its spellings (WITH, FROM-first,
   VALUES, TABLE t, DESCRIBE, SHOW, SUMMARIZE: DuckDB's own parser classifies them as SELECT, no regex of
   ours) or EXPLAIN [ANALYZE] of one; a PIVOT without an explicit `on col in (…)` list is refused (it
   creates a type first), `pivot t on col in (a, b) using …` works;
2. the connection cannot write or reach anything outside the warehouse file even if a statement slipped
   through: opened read_only, `enable_external_access = false` (no COPY TO, EXPORT, ATTACH, INSTALL/LOAD,
   read_csv/glob of arbitrary files, getenv) and `lock_configuration = true` (no SET/PRAGMA to undo it).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import TextIO

import duckdb

from semibench_core import paths
from semibench.publish import PublishError, connect_published

FORMATS = ("table", "csv", "json", "markdown")


class QueryError(RuntimeError):
    pass


# Settings of the ad-hoc SQL connection; lock_configuration last in effect, so nothing can SET them back.
READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}
READ_KINDS = ("SELECT", "EXPLAIN")
_EXPLAIN_PREFIX = re.compile(r"^\s*explain(\s+analyze)?\s+", re.IGNORECASE)


def check_read_only(sql: str) -> None:
    """QueryError (one line) unless `sql` is exactly one statement of a reading kind."""
    parser = duckdb.connect(":memory:", config=READ_ONLY_CONFIG)
    try:
        statements = parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        parser.close()
    if len(statements) != 1:
        raise QueryError(f"semibench sql runs exactly one statement, got {len(statements)}")
    kind = statements[0].type.name
    if kind not in READ_KINDS:
        raise QueryError(f"semibench sql is read-only: {kind} statements are refused "
                         f"(allowed: SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)")
    if kind == "EXPLAIN":
        # EXPLAIN ANALYZE executes its statement, so the explained statement must be a reading one too
        check_read_only(_EXPLAIN_PREFIX.sub("", statements[0].query, count=1))


def connect_read_only(db: Path | None = None) -> duckdb.DuckDBPyConnection:
    db = Path(db or paths.published_path())
    if not db.exists():
        raise PublishError(f"{db}: no published warehouse yet (run `semibench run` or `semibench build`)")
    try:
        return duckdb.connect(str(db), read_only=True, config=READ_ONLY_CONFIG)
    except duckdb.Error as exc:
        raise QueryError(f"{db}: cannot open: {str(exc).splitlines()[0]}") from exc


def run_query(sql: str, published: Path | None = None) -> tuple[list[str], list[tuple]]:
    check_read_only(sql)
    con = connect_read_only(published)
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
