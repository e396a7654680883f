"""Run dbt as a child process and read back what happened.

A child process (not dbt's in-process runner) keeps dbt's global state and its DuckDB lock out of
our process, so the CLI can publish the warehouse the moment dbt exits.

The child never outlives the run: it leads its own process group, started through semibench.ops.child so
the kernel sends it SIGTERM if we die (even by SIGKILL); any exception here (SIGTERM/SIGINT included)
ends the group before it propagates; and its group id is recorded in the run lock, so the takeover of a
stale lock ends it if all else failed. Each `dbt build` on the DuckDB warehouse is recorded in the
warehouse itself (semibench.ops.build_record) for `semibench publish` to check."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from semibench_core import paths

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
        sys.executable, "-m", "semibench.ops.child", str(os.getpid()),
        sys.executable, "-m", "dbt.cli.main", *args,
        "--project-dir", str(paths.PROJECT_DIR),
        "--profiles-dir", str(paths.PROJECT_DIR),
    ]
    tail: list[str] = []
    results_path = Path(env["DBT_TARGET_PATH"]) / "run_results.json"
    # a dbt that fails before running anything (a compile error) leaves the previous run's results:
    # never report those as this run's
    results_path.unlink(missing_ok=True)
    from semibench.ops import lock

    proc = subprocess.Popen(
        cmd, cwd=paths.PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        process_group=0,
    )
    lock.note_child(proc.pid)
    try:
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
    finally:
        end_group(proc)
        lock.note_child(None)
    nodes = read_run_results(results_path)
    if args[:1] == ["build"] and _is_duckdb_target(args) and Path(warehouse).exists():
        _record(warehouse, results_path, returncode, nodes, args[1:])
    return DbtResult(returncode=returncode, nodes=nodes, output_tail=tail)


def end_group(proc: subprocess.Popen, term_wait_s: float = 10.0) -> None:
    """SIGTERM the child's process group if anything in it still runs (we are unwinding), then SIGKILL."""
    for sig, wait_s in ((signal.SIGTERM, term_wait_s), (signal.SIGKILL, 30.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait_s
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is not None:
            break
    proc.poll()


def _is_duckdb_target(args: list[str]) -> bool:
    for flag in ("--target", "-t"):
        if flag in args:
            i = args.index(flag)
            return i + 1 < len(args) and args[i + 1] == "dev"
    return True


def _record(warehouse: Path, results_path: Path, returncode: int, nodes: list[NodeResult], args: list[str]) -> None:
    from semibench.ops.build_record import record_build

    invocation_id = None
    try:
        invocation_id = json.loads(results_path.read_text())["metadata"]["invocation_id"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        record_build(warehouse, invocation_id=invocation_id, returncode=returncode,
                     statuses=[n.status for n in nodes], args=args)
    except duckdb.Error as exc:
        # the build itself is over and its outcome is returned either way; say what publish will lack
        print(f"warning: the dbt build was not recorded in {warehouse} ({str(exc).splitlines()[0]}); "
              f"`semibench publish` goes by the previous record", file=sys.stderr)


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
