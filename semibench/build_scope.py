"""What a `semibench run` must rebuild and test: everything, or only what depends on the data that changed.

Every model is a function of its sources, the project's code (models, macros, seeds, tests, dbt_project) and
the tool versions. A successful build records a fingerprint of each of those (table `ops.build_inputs`
in the warehouse itself, so it travels with it and a rebuilt warehouse starts without one). The next run
compares: if the code or tools changed, or nothing was recorded, or a full build is asked for, it builds
everything; otherwise it selects `source:<changed>+` (the models fed by a source whose rows changed, and
every data test on them) plus the models tagged `rebuild_every_run` (those that read the clock). A source
that did not change keeps its tables and its last test outcomes (merged into latest_node_results.json for
the report). When nothing changed, only the clock-reading models run.

The selection is conservative by construction: a source counts as changed when its row count or the hash
of all its rows differs, whatever the reason (landed, retired, rebuilt)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import duckdb

from semibench_core import paths

TABLE = "ops.build_inputs"
DDL = f"""
create schema if not exists ops;
create table if not exists {TABLE} (
    recorded_at      timestamp not null,  -- UTC, when the build that used these inputs succeeded
    code_fingerprint varchar   not null,
    sources          varchar   not null   -- JSON {{"source.table": "rows:hash"}}
);
"""
# Files whose content decides what the models compute; anything else in the checkout does not.
CODE_DIRS = ("models", "macros", "seeds", "data-tests")
CODE_FILES = ("dbt_project.yml", "profiles.yml")
TOOLS = ("dbt-core", "dbt-duckdb", "duckdb")
ALWAYS_SELECTED = "tag:rebuild_every_run"
MERGED_RESULTS = "latest_node_results.json"


@dataclass
class BuildScope:
    full: bool
    reason: str
    changed_sources: list[str] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)  # what to record once the build succeeds

    def dbt_args(self) -> list[str]:
        if self.full:
            return []
        return ["--select", *[f"source:{s}+" for s in self.changed_sources], ALWAYS_SELECTED]

    def describe(self) -> str:
        if self.full:
            return f"full build ({self.reason})"
        if not self.changed_sources:
            return "no source changed: only the models that read the clock"
        return "changed sources only: " + ", ".join(self.changed_sources)


def code_fingerprint(project_dir: Path | None = None) -> str:
    root = Path(project_dir or paths.PROJECT_DIR)
    digest = hashlib.sha256()
    files = [root / name for name in CODE_FILES]
    for d in CODE_DIRS:
        files += sorted(p for p in (root / d).rglob("*") if p.is_file())
    for f in files:
        if f.exists():
            digest.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    for tool in TOOLS:
        try:
            digest.update(f"{tool}={metadata.version(tool)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{tool}=none".encode())
    return digest.hexdigest()


def source_tables(manifest_path: Path) -> dict[str, tuple[str, str]]:
    """'source.table' -> (schema, identifier) for every dbt source of the last parsed project."""
    manifest = json.loads(manifest_path.read_text())
    return {f"{s['source_name']}.{s['name']}": (s["schema"], s.get("identifier") or s["name"])
            for s in manifest["sources"].values()}


def fingerprint_sources(con: duckdb.DuckDBPyConnection, tables: dict[str, tuple[str, str]]) -> dict[str, str]:
    existing = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
    out = {}
    for name, (schema, identifier) in sorted(tables.items()):
        if (schema, identifier) not in existing:
            out[name] = "absent"
            continue
        rows, total = con.execute(
            f'select count(*), coalesce(sum(hash(t)::hugeint), 0) from "{schema}"."{identifier}" t').fetchone()
        out[name] = f"{rows}:{total}"
    return out


def recorded_inputs(con: duckdb.DuckDBPyConnection) -> dict | None:
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'ops' "
                         "and table_name = 'build_inputs'").fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"select code_fingerprint, sources from {TABLE} order by recorded_at desc limit 1").fetchone()
    return None if row is None else {"code": row[0], "sources": json.loads(row[1])}


def plan_scope(warehouse: Path, target_dir: Path, *, full_requested: bool = False) -> BuildScope:
    code = code_fingerprint()
    manifest = Path(target_dir) / "manifest.json"
    if not manifest.exists() or not Path(warehouse).exists():
        return BuildScope(full=True, reason="first build")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sources = fingerprint_sources(con, source_tables(manifest))
        before = recorded_inputs(con)
    inputs = {"code": code, "sources": sources}
    if full_requested:
        return BuildScope(full=True, reason="asked for", inputs=inputs)
    if before is None:
        return BuildScope(full=True, reason="no earlier build recorded", inputs=inputs)
    if before["code"] != code:
        return BuildScope(full=True, reason="the project or its tools changed", inputs=inputs)
    if set(before["sources"]) != set(sources):
        return BuildScope(full=True, reason="the set of sources changed", inputs=inputs)
    changed = [name for name, fp in sources.items() if before["sources"][name] != fp]
    return BuildScope(full=False, reason="incremental", changed_sources=changed, inputs=inputs)


def record_inputs(warehouse: Path, target_dir: Path, scope: BuildScope) -> None:
    """After a successful build: remember its inputs. A first build computes them now (its manifest only
    exists after it ran; the run holds the lock, so nothing landed in between)."""
    inputs = scope.inputs
    if not inputs:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            inputs = {"code": code_fingerprint(),
                      "sources": fingerprint_sources(con, source_tables(Path(target_dir) / "manifest.json"))}
    with duckdb.connect(str(warehouse)) as con:
        con.execute(DDL)
        con.execute("begin")
        con.execute(f"delete from {TABLE}")
        con.execute(f"insert into {TABLE} values (?, ?, ?)", [
            datetime.now(timezone.utc).replace(tzinfo=None), inputs["code"], json.dumps(inputs["sources"])])
        con.execute("commit")


def merge_node_results(warehouse: Path, target_dir: Path, scope: BuildScope) -> Path | None:
    """latest_node_results.json: run_results.json of this build, plus, for a selective build, the last outcome
    of every node it did not run (their inputs did not change), so the report lists every test's state.
    Only outcomes of the same warehouse (its identity, which a copied workspace keeps) are merged: a target
    folder can serve several."""
    from ingest.warehouse_identity import warehouse_identity

    target_dir = Path(target_dir)
    results = target_dir / "run_results.json"
    if not results.exists():
        return None
    current = json.loads(results.read_text())
    current.setdefault("metadata", {})["semibench_warehouse"] = warehouse_identity(warehouse)
    merged_path = target_dir / MERGED_RESULTS
    if not scope.full and merged_path.exists():
        previous = json.loads(merged_path.read_text())
        if previous.get("metadata", {}).get("semibench_warehouse") == current["metadata"]["semibench_warehouse"]:
            ran = {r["unique_id"] for r in current["results"]}
            current["results"] += [r for r in previous.get("results", []) if r["unique_id"] not in ran]
    tmp = merged_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current))
    tmp.replace(merged_path)
    return merged_path


def latest_results_file(target_dir: Path) -> Path:
    """The outcomes to show: the merged file when it belongs to the newest build, else dbt's own."""
    target_dir = Path(target_dir)
    merged, plain = target_dir / MERGED_RESULTS, target_dir / "run_results.json"
    try:
        if json.loads(merged.read_text())["metadata"]["invocation_id"] == \
                json.loads(plain.read_text())["metadata"]["invocation_id"]:
            return merged
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return plain
