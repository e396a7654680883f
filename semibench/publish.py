"""Publish a read-only copy of the warehouse for ad-hoc SQL.

dbt holds an exclusive lock on the build file for the whole build, so queries go to a copy that is
swapped in atomically (copy to a temp file, then os.replace) only after a successful build: readers
see either the previous good warehouse or the new one, never a half-written file.

The copy is verified before the swap (semibench.ops.verify: it opens, is a semibench warehouse, its last
dbt build succeeded, every table reads back in full, key marts are not implausibly empty). The copy, not
only the source, because the copy is what readers will get: a damaged source block or a bad copy both
show up in it. A copy that fails leaves the published file untouched, byte for byte.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from semibench_core import paths
from semibench_core.faults import fault_point


class PublishError(RuntimeError):
    pass


def publish(warehouse: Path | None = None, published: Path | None = None, *, dbt_target: Path | None = None) -> Path:
    from semibench.ops.verify import WarehouseUnfit, verify_warehouse

    warehouse = Path(warehouse or paths.warehouse_path())
    published = Path(published or paths.published_path())
    if not warehouse.exists():
        raise PublishError(f"{warehouse}: no warehouse to publish (run an ingest and a build first)")
    _checkpoint(warehouse)
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(warehouse, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        try:
            verify_warehouse(tmp, dbt_target=dbt_target or paths.dbt_target_dir(), label=str(warehouse))
        except WarehouseUnfit as exc:
            raise PublishError(f"not published, {published} left as it was: {exc}") from None
        fault_point("publish")
        os.replace(tmp, published)
    except OSError as exc:
        raise PublishError(f"publishing {warehouse} to {published} failed, the published copy was left as it "
                           f"was: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return published


def _checkpoint(warehouse: Path) -> None:
    """Fold any write-ahead log into the main file so the copy is complete on its own."""
    try:
        con = duckdb.connect(str(warehouse))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise PublishError(f"{warehouse}: cannot open for publishing (is a build running?): "
                               f"{str(exc).splitlines()[0]}") from None
        raise PublishError(f"not published: {warehouse} cannot be opened, the file is damaged "
                           f"({' '.join(str(exc).split())[:300]})") from None
    except Exception as exc:  # a damaged file fails in many ways; the verdict is the same one line
        raise PublishError(f"not published: {warehouse} cannot be opened, the file is damaged "
                           f"({' '.join(str(exc).split())[:300]})") from None
    try:
        con.execute("checkpoint")
    except Exception as exc:
        raise PublishError(f"not published: {warehouse} cannot be checkpointed ({' '.join(str(exc).split())[:300]})") from None
    finally:
        con.close()


def connect_published(published: Path | None = None) -> duckdb.DuckDBPyConnection:
    published = Path(published or paths.published_path())
    if not published.exists():
        raise PublishError(f"{published}: no published warehouse yet (run `semibench run` or `semibench build`)")
    return duckdb.connect(str(published), read_only=True)
