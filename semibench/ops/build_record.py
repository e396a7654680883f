"""The warehouse's own record of the dbt builds run on it: `ops.dbt_builds`, one row per `dbt build`.

`semibench publish` refuses a warehouse whose last recorded build did not succeed. The record lives inside
the warehouse file (not only in dbt's target/run_results.json) so it travels with the copy and cannot be
confused with the artifacts of a build of another warehouse. Written by semibench.dbt_runner right after
dbt exits (dbt no longer holds the file then); a build run with plain `dbt build` is not recorded, and
publish then falls back to dbt's run_results.json (see semibench.ops.verify).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

SCHEMA = "ops"
TABLE = f"{SCHEMA}.dbt_builds"
DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {TABLE} (
    invocation_id  varchar,             -- dbt's, from run_results.json (null when dbt wrote none)
    finished_at    timestamp not null,  -- UTC
    returncode     integer   not null,
    ok             boolean   not null,  -- dbt exited 0: every model built and no test failed or errored
    nodes          integer   not null,
    errors         integer   not null,  -- nodes with status error or fail
    warnings       integer   not null,
    args           varchar[] not null   -- the dbt arguments after `build` (e.g. --select ...)
);
"""


def record_build(warehouse: Path, *, invocation_id: str | None, returncode: int, statuses: list[str],
                 args: list[str]) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(DDL)
        con.execute(f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)", [
            invocation_id, datetime.now(timezone.utc).replace(tzinfo=None), returncode, returncode == 0,
            len(statuses), sum(s in ("error", "fail") for s in statuses), statuses.count("warn"), list(args)])
    finally:
        con.close()


def last_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest recorded build, or None when the warehouse records none."""
    exists = con.execute("select count(*) from information_schema.tables where table_schema = ? "
                         "and table_name = 'dbt_builds'", [SCHEMA]).fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"select invocation_id, finished_at, ok, errors, returncode from {TABLE} "
                      "order by finished_at desc limit 1").fetchone()
    if row is None:
        return None
    return dict(zip(("invocation_id", "finished_at", "ok", "errors", "returncode"), row))
