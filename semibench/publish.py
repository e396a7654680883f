"""Publish a read-only copy of the warehouse for ad-hoc SQL.

dbt holds an exclusive lock on the build file for the whole build, so queries go to a copy that is
swapped in atomically (copy to a temp file, then os.replace) only after a successful build: readers
see either the previous good warehouse or the new one, never a half-written file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from semibench import paths
from semibench.ops.faults import fault_point


class PublishError(RuntimeError):
    pass


def publish(warehouse: Path | None = None, published: Path | None = None) -> Path:
    warehouse = Path(warehouse or paths.warehouse_path())
    published = Path(published or paths.published_path())
    if not warehouse.exists():
        raise PublishError(f"{warehouse}: no warehouse to publish (run an ingest and a build first)")
    try:
        # fold any write-ahead log into the main file so the copy is complete on its own
        con = duckdb.connect(str(warehouse))
        con.execute("checkpoint")
        con.close()
    except duckdb.IOException as exc:
        raise PublishError(f"{warehouse}: cannot open for publishing (is a build running?): {exc}") from exc
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(warehouse, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        fault_point("publish")
        os.replace(tmp, published)
    finally:
        tmp.unlink(missing_ok=True)
    return published


def connect_published(published: Path | None = None) -> duckdb.DuckDBPyConnection:
    published = Path(published or paths.published_path())
    if not published.exists():
        raise PublishError(f"{published}: no published warehouse yet (run `semibench run` or `semibench build`)")
    return duckdb.connect(str(published), read_only=True)
