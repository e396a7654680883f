"""Is a warehouse file fit to be published (or is the published one still sound)? `semibench publish` runs
this on its copy before the atomic swap, `semibench check` on the build and the published file.

In order, each failure a one-line WarehouseUnfit:
  opens      read-only, with external access off
  schema     every raw table of ingest/*_schema.sql exists (the file is a semibench warehouse)
  build      the last dbt build on it succeeded (ops.dbt_builds; a newer plain `dbt build` in the dbt target
             directory's run_results.json wins)
  readable   every base table scanned in full: count(*) and a hash over every column of every row, so each
             data block is read and its checksum verified (a flipped byte in the middle of the file is found
             here, not by the first reader)
  plausible  a key mart is not empty while its raw table holds valid (non-quarantined) rows
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import duckdb

from semibench.ops import build_record

# mart -> the raw table that feeds it; the mart must have rows when the raw table has valid ones
KEY_MARTS = {
    "fct_inferencemax_points": "inferencemax_points",
    "fct_tool_eval_events": "eval_events",
}
RUNS_MART, RUNS_RAW = "fct_runs", ("loadgen_runs", "vllm_results")


class WarehouseUnfit(RuntimeError):
    pass


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def raw_tables_expected() -> set[str]:
    from ingest.raw_schema import raw_schema_sql

    return set(re.findall(r"create table if not exists raw\.(\w+)", raw_schema_sql(), re.IGNORECASE))


def verify_warehouse(db: Path, *, dbt_target: Path | None = None, label: str | None = None,
                     require_record: bool = True) -> dict[str, int]:
    """Table -> rows for every base table, or WarehouseUnfit naming `label` (default: the file).
    require_record=False accepts a file with no build record at all (a copy published after a plain
    `dbt build`), but never one whose last recorded build failed."""
    db, label = Path(db), label or str(db)
    if not db.is_file():
        raise WarehouseUnfit(f"{label}: no such file")
    try:
        con = duckdb.connect(str(db), read_only=True,
                             config={"enable_external_access": False, "autoload_known_extensions": False})
    except Exception as exc:  # any failure to open is the verdict, never a traceback
        raise WarehouseUnfit(f"{label}: cannot be opened, the file is damaged ({_one_line(exc)})") from None
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE' order by all").fetchall()
        missing = raw_tables_expected() - {t for s, t in tables if s == "raw"}
        if missing:
            raise WarehouseUnfit(f"{label}: not a complete semibench warehouse: raw tables missing: "
                                 f"{', '.join(sorted(missing))}")
        _check_last_build(con, label, dbt_target, require_record)
        rows = {}
        for schema, table in tables:
            try:
                rows[f"{schema}.{table}"] = con.execute(
                    f'select count(*), sum(hash(t)) from "{schema}"."{table}" as t').fetchone()[0]
            except Exception as exc:
                raise WarehouseUnfit(f"{label}: table {schema}.{table} cannot be read, the file is damaged "
                                     f"({_one_line(exc)})") from None
        _check_plausible(con, rows, label)
        return rows
    except WarehouseUnfit:
        raise
    except Exception as exc:
        raise WarehouseUnfit(f"{label}: cannot be read, the file is damaged ({_one_line(exc)})") from None
    finally:
        con.close()


def _check_last_build(con, label: str, dbt_target: Path | None, require_record: bool = True) -> None:
    recorded = build_record.last_build(con)
    plain = _run_results(dbt_target)
    if plain is not None and (recorded is None or (plain["invocation_id"] != recorded["invocation_id"]
                                                    and plain["generated_at"] > recorded["finished_at"])):
        if plain["errors"]:
            raise WarehouseUnfit(f"{label}: the last dbt build ({plain['path']}) had {plain['errors']} failing "
                                 f"or erroring nodes; not publishing it")
        return
    if recorded is None and not require_record:
        return
    if recorded is None:
        raise WarehouseUnfit(f"{label}: no successful dbt build recorded (run `semibench build`)")
    if not recorded["ok"]:
        raise WarehouseUnfit(f"{label}: the last dbt build (at {recorded['finished_at']:%Y-%m-%d %H:%M:%S} UTC) "
                             f"failed with {recorded['errors']} failing or erroring nodes; not publishing it")


def _run_results(dbt_target: Path | None) -> dict | None:
    """A plain `dbt build`'s outcome from run_results.json, when there is one."""
    if dbt_target is None:
        return None
    path = Path(dbt_target) / "run_results.json"
    try:
        data = json.loads(path.read_text())
        if data.get("args", {}).get("which") != "build":
            return None
        generated = datetime.fromisoformat(data["metadata"]["generated_at"].replace("Z", "+00:00"))
        return {"path": path, "invocation_id": data["metadata"].get("invocation_id"),
                "generated_at": generated.replace(tzinfo=None),
                "errors": sum(r.get("status") in ("error", "fail") for r in data.get("results", []))}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _check_plausible(con, rows: dict[str, int], label: str) -> None:
    from semibench.ops.batches import valid_rows

    pairs = [(mart, (raw,)) for mart, raw in KEY_MARTS.items()] + [(RUNS_MART, RUNS_RAW)]
    for mart, raws in pairs:
        if f"main.{mart}" not in rows or rows[f"main.{mart}"]:
            continue
        feeding = {raw: valid_rows(con, raw) for raw in raws}
        if any(feeding.values()):
            raw, n = next((r, n) for r, n in feeding.items() if n)
            raise WarehouseUnfit(f"{label}: {mart} is empty while raw.{raw} holds {n:,} valid rows; the build "
                                 f"looks incomplete, not publishing it")
