"""All raw landing tables, created idempotently from the `ingest/*_schema.sql` files.

dbt's sources read every family's raw tables, so each ingester and every build creates all of them,
not only its own: a warehouse that has only InferenceMAX data so far still builds."""

from __future__ import annotations

from importlib import resources

import duckdb


def raw_schema_sql() -> str:
    files = sorted(f for f in resources.files("ingest").iterdir() if f.name.endswith("_schema.sql"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(raw_schema_sql())
