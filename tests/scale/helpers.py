"""A warehouse with synthetic loadgen runs and real `dbt build` runs of the request-trace models."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.warehouse_scale.generate import ensure_schema, land_run, remove_run, run_spec
from semibench_core import paths
from semibench.dbt_runner import dbt_env, read_run_results

# the trace models, everything they feed up to fct_runs, and the tests on them (not the InferenceMAX marts)
SELECT = ["--select", "+fct_runs", "+fct_requests", "--indirect-selection", "cautious"]
INCREMENTAL = ["intermediate.int_loadgen__chunks", "main.fct_requests"]
COMPARED = [*INCREMENTAL, "intermediate.int_runs__loadgen", "main.fct_runs"]
SMALL_CHUNKS = (2, 6)


@dataclass
class Build:
    invocation_id: str
    ok: bool
    output: str


class Warehouse:
    def __init__(self, root: Path, seed: int = 7):
        self.root = Path(root)
        self.path = self.root / "wh" / "semibench.duckdb"
        self.seed = seed
        self.builds = 0
        ensure_schema(self.path)

    def land(self, index: int, requests: int, generation: int = 0) -> None:
        spec = run_spec(index, requests, seed=self.seed, chunks=SMALL_CHUNKS, warmup=3, generation=generation)
        con = duckdb.connect(str(self.path))
        try:
            land_run(con, spec, seed=self.seed)
        finally:
            con.close()

    def remove(self, index: int) -> None:
        con = duckdb.connect(str(self.path))
        try:
            remove_run(con, run_spec(index, 1, seed=self.seed).run_id)
        finally:
            con.close()

    def run_id(self, index: int) -> str:
        return run_spec(index, 1, seed=self.seed).run_id

    def dbt(self, *args: str, warehouse: Path | None = None, env: dict | None = None) -> Build:
        self.builds += 1
        # one target folder per warehouse: dbt's partial parse carries over (a new folder = a full parse,
        # seconds per build); run_results.json is read right after each build
        target = self.root / f"target-{Path(warehouse or self.path).stem}"
        (target / "run_results.json").unlink(missing_ok=True)  # never read an earlier build's results
        proc = subprocess.run(
            [sys.executable, "-m", "dbt.cli.main", *args,
             "--project-dir", str(paths.PROJECT_DIR), "--profiles-dir", str(paths.PROJECT_DIR)],
            cwd=paths.PROJECT_DIR, env={**dbt_env(warehouse or self.path, target), **(env or {})},
            capture_output=True, text=True, timeout=900)
        results = target / "run_results.json"
        invocation = json.loads(results.read_text())["metadata"]["invocation_id"] if results.exists() else ""
        bad = [n for n in read_run_results(results) if n.status in ("error", "fail")]
        return Build(invocation, proc.returncode == 0 and not bad,
                     proc.stdout[-6000:] + proc.stderr[-2000:] + "\n".join(f"{n.unique_id}: {n.message}" for n in bad))

    def build(self, *args: str, warehouse: Path | None = None) -> Build:
        b = self.dbt("build", *SELECT, *args, warehouse=warehouse)
        assert b.ok, b.output
        return b

    def full_refresh_copy(self, name: str, *args: str) -> Path:
        copy = self.root / name / "semibench.duckdb"
        copy.parent.mkdir(parents=True)
        shutil.copy(self.path, copy)
        self.build("--full-refresh", *args, warehouse=copy)
        return copy

    def query(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def modelled_by(self, table: str) -> dict[str, set[str]]:
        """run_id -> dbt invocations that modelled its rows."""
        out: dict[str, set[str]] = {}
        for run_id, inv in self.query(f"select distinct run_id, dbt_invocation_id from {table}"):
            out.setdefault(run_id, set()).add(inv)
        return out

    def differences_from(self, other: Path) -> dict[str, int]:
        """Rows differing in either direction (duplicates counted) per table, invocation ids aside; -1 when
        both sides are empty (which would prove nothing)."""
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            con.execute(f"attach '{other}' as fr (read_only)")
            out = {}
            for table in COMPARED:
                schema, name = table.split(".")
                cols = [r[0] for r in con.execute(
                    "select column_name from information_schema.columns where table_catalog = current_database() "
                    "and table_schema = ? and table_name = ? and column_name <> 'dbt_invocation_id' "
                    "order by ordinal_position", [schema, name]).fetchall()]
                col_sql = ", ".join(f'"{c}"' for c in cols)
                a, b = f"select {col_sql} from {table}", f"select {col_sql} from fr.{table}"
                n = con.execute(f"select (select count(*) from ({a} except all {b})) "
                                f"+ (select count(*) from ({b} except all {a}))").fetchone()[0]
                rows = con.execute(f"select count(*) from {table}").fetchone()[0]
                out[table] = n if rows or n else -1
            return out
        finally:
            con.close()
