"""Run dbt as a child process and read back what happened.

A child process (not dbt's in-process runner) keeps dbt's global state and its DuckDB lock out of
our process, so the CLI can publish the warehouse the moment dbt exits."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from semibench import paths

# "12 of 57 OK created sql table model main.fct_x ..." / "3 of 57 PASS unique_..."
_PROGRESS_LINE = re.compile(r"\b(\d+) of (\d+) (OK|PASS|WARN|FAIL|ERROR|SKIP)\b")


@dataclass
class NodeResult:
    unique_id: str
    status: str  # success | pass | warn | fail | error | skipped
    message: str
    failures: int | None


@dataclass
class DbtResult:
    returncode: int
    nodes: list[NodeResult] = field(default_factory=list)
    output_tail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def with_status(self, *statuses: str) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in statuses]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for n in self.nodes:
            out[n.status] = out.get(n.status, 0) + 1
        return out


def dbt_env(warehouse: Path, target_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["SEMIBENCH_WAREHOUSE"] = str(Path(warehouse).resolve())
    # Spark reads the raw lake and keeps its tables beside the warehouse unless told otherwise; absolute,
    # because dbt's profile would resolve a relative path against the shell's directory
    env["SEMIBENCH_LAKE"] = str(paths.lake_dir(warehouse))
    env["SEMIBENCH_SPARK_WAREHOUSE"] = str(paths.spark_warehouse_dir(warehouse))
    env["DBT_TARGET_PATH"] = str(target_dir or paths.dbt_target_dir())
    env.setdefault("DBT_LOG_PATH", str(Path(env["DBT_TARGET_PATH"]) / "logs"))
    env["DBT_USE_COLORS"] = "false"
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["DBT_VERSION_CHECK"] = "false"
    Path(warehouse).parent.mkdir(parents=True, exist_ok=True)
    return env


def run_dbt(
    args: list[str],
    *,
    warehouse: Path | None = None,
    target_dir: Path | None = None,
    on_progress=None,
    echo=None,
) -> DbtResult:
    """Run `dbt <args>` against the project. `on_progress(done, total, status, line)` is called for each
    finished node; `echo(line)` receives every output line."""
    warehouse = Path(warehouse or paths.warehouse_path())
    env = dbt_env(warehouse, target_dir)
    cmd = [
        sys.executable, "-m", "dbt.cli.main", *args,
        "--project-dir", str(paths.PROJECT_DIR),
        "--profiles-dir", str(paths.PROJECT_DIR),
    ]
    tail: list[str] = []
    results_path = Path(env["DBT_TARGET_PATH"]) / "run_results.json"
    # a dbt that fails before running anything (a compile error) leaves the previous run's results:
    # never report those as this run's
    results_path.unlink(missing_ok=True)
    proc = subprocess.Popen(
        cmd, cwd=paths.PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.rstrip("\n")
        tail.append(line)
        del tail[:-60]
        if echo:
            echo(line)
        m = _PROGRESS_LINE.search(line)
        if m and on_progress:
            on_progress(int(m.group(1)), int(m.group(2)), m.group(3), line)
    returncode = proc.wait()
    nodes = read_run_results(results_path)
    return DbtResult(returncode=returncode, nodes=nodes, output_tail=tail)


def read_run_results(path: Path) -> list[NodeResult]:
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    return [
        NodeResult(
            unique_id=r["unique_id"],
            status=r["status"],
            message=r.get("message") or "",
            failures=r.get("failures"),
        )
        for r in data.get("results", [])
    ]
