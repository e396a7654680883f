"""Kill the pipeline (SIGKILL, with dbt's child) at each step and show that the archive, the published
warehouse, the lock and the next run are all fine.

One workspace goes through every kill in turn, then one clean run: a separate recovery build after each
kill would cost a dbt build apiece, and the clean run at the end has to cope with the leftovers of all
four crashes at once, which is the harder case. The runs fetch live from a real HTTP server serving a
changed copy of the sample (gpt-oss-120b lost its h100 points), so every kill hits a run that is
bringing in new content.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from semibench.ops import lock
from tests.ops.conftest import SAMPLE, SampleServer, archive_problems, clone, query, sha256

LOST_MODEL, LOST_HW = "gpt-oss-120b", "h100"


def changed_sample() -> tuple[dict[str, bytes], int]:
    files, expected = {}, 0
    for path in sorted(SAMPLE.glob("*.json")):
        points = json.loads(path.read_bytes())
        if path.name.startswith(LOST_MODEL):
            points = [p for p in points if p["hwKey"] != LOST_HW]
        files[path.name] = json.dumps(points).encode()
        if path.name.endswith("-interactivity.json"):
            expected += len(points)  # the sample's points all match an e2e twin, one merged row each
    return files, expected


@pytest.fixture(scope="module")
def chain(built_base, tmp_path_factory):
    files, expected = changed_sample()
    server = SampleServer(files).start()
    ws = clone(built_base, tmp_path_factory.mktemp("faults") / "ws")
    config = server.config(ws.root / "live.yml")
    state = {"ws": ws, "config": config, "expected": expected, "kills": 0,
             "published_sha": sha256(ws.published),
             "fct_rows": query(ws.published, "select count(*) from fct_inferencemax_points")[0][0]}
    yield state
    server.stop()


def wait_group_gone(pgid: int) -> None:
    """dbt's child was killed with the group; wait (bounded) until the kernel has reaped it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"process group {pgid} still has members after the kill")


def raw_counts(ws) -> dict[str, int]:
    tables = ("snapshots", "files", "points", "fetches")
    return {t: query(ws.warehouse, f"select count(*) from raw.inferencemax_{t}")[0][0] for t in tables}


def archived(ws) -> set[str]:
    return {p.name for p in (ws.archive / "inferencemax").iterdir() if p.is_dir() and not p.name.startswith(".")}


def kill_at(state, point: str):
    ws = state["ws"]
    before = {"raw": raw_counts(ws), "archived": archived(ws),
              "fetch_log": (ws.archive / "inferencemax" / "fetches.jsonl").read_text()}
    out = ws.root / f"kill-{point}.log"
    proc = ws.popen("run", "--once", "--live", "--config", str(state["config"]),
                    env={"SEMIBENCH_FAULT": f"kill:{point}"}, log=out)
    assert proc.wait(timeout=600) == -signal.SIGKILL, out.read_text()
    state["kills"] += 1
    wait_group_gone(proc.pid)  # the CLI led its own group (start_new_session)

    # the published warehouse: byte-identical, still answers, and nothing new is visible beside it
    assert sha256(ws.published) == state["published_sha"]
    assert query(ws.published, "select count(*) from fct_inferencemax_points")[0][0] == state["fct_rows"]
    assert [p.name for p in ws.published.parent.iterdir() if not p.name.startswith(".")] == ["semibench.duckdb"]
    # the archive: every snapshot matches its manifest; no half-written snapshot under a visible name
    assert archive_problems(ws.archive) == []
    # the lock: not held (the kernel dropped it), and the crashed run is recognisable as stale
    state_ = lock.inspect(ws.lock)
    assert not state_.held and state_.stale and state_.holder.pid == proc.pid and not state_.holder.alive
    # the run log: the killed run reads back as interrupted
    assert ws.runs()[-1]["status"] == "interrupted"
    return before, proc


def test_kill_during_fetch_leaves_everything_as_it_was(chain):
    before, _ = kill_at(chain, "fetch")
    ws = chain["ws"]
    assert raw_counts(ws) == before["raw"]
    assert archived(ws) == before["archived"]
    assert (ws.archive / "inferencemax" / "fetches.jsonl").read_text() == before["fetch_log"]


def test_kill_before_the_landing_commit_lands_nothing_and_keeps_a_complete_archive_snapshot(chain):
    before, _ = kill_at(chain, "land")
    ws = chain["ws"]
    assert raw_counts(ws) == before["raw"]  # the open transaction died with the process
    new = archived(ws) - before["archived"]
    assert len(new) == 1  # archived before landing, complete (checked above): the next run re-uses it


def test_kill_mid_dbt_build_keeps_the_published_warehouse(chain):
    before, _ = kill_at(chain, "dbt")
    ws = chain["ws"]
    assert raw_counts(ws)["snapshots"] == before["raw"]["snapshots"] + 1  # landing had committed


def test_kill_during_publish_keeps_the_old_copy_and_leaves_only_a_hidden_temp_file(chain):
    _, proc = kill_at(chain, "publish")
    ws = chain["ws"]
    hidden = [p.name for p in ws.published.parent.iterdir() if p.name.startswith(".")]
    assert hidden == [f".semibench.duckdb.{proc.pid}.tmp"]


def test_next_run_succeeds_with_correct_counts_and_cleans_up(chain):
    ws = chain["ws"]
    assert chain["kills"] == 4, "the kill tests above must run first"
    proc = ws.cli("run", "--once", "--live", "--config", str(chain["config"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "took over a stale lock" in proc.stderr
    assert query(ws.published, "select count(*) from fct_inferencemax_points")[0][0] == chain["expected"]
    assert query(ws.published, """select count(*) from mart_inferencemax__coverage
                                  where is_latest_snapshot and status = 'lost'""")[0][0] == 3
    assert query(ws.published, "select count(*) from raw.inferencemax_snapshots")[0][0] == 2
    assert [p.name for p in ws.published.parent.iterdir()] == ["semibench.duckdb"]  # temp file swept
    assert archive_problems(ws.archive) == []
    assert lock.inspect(ws.lock) == lock.LockState(held=False, holder=None)
    statuses = [r[0] for r in query(ws.published, "select status from pipeline_runs order by started_at")]
    assert statuses == ["success", "interrupted", "interrupted", "interrupted", "interrupted", "success"]
