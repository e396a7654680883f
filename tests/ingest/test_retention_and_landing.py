"""Retention, transactional landing (rollback on a real constraint failure) and the warehouse lock."""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from ingest.errors import IngestError
from ingest.inferencemax import ingest_inferencemax
from ingest.land import choose_expired
from ingest.raw_schema import ensure_raw_schema

T1 = datetime(2025, 10, 21, 6, 0, tzinfo=timezone.utc)
ALL_TABLES = ("snapshots", "files", "points", "fetches")


def run(cfg, scratch, **kw):
    return ingest_inferencemax(cfg, warehouse=scratch.warehouse, archive_root=scratch.archive, progress=False, **kw)


def bump(server, amount):
    """Change one point so the server's content becomes a new snapshot."""
    name = server.names()[0]
    pts = server.points(name)
    pts[0]["y"] = 1000 + amount
    server.files[name] = json.dumps(pts).encode()


def ids_in_tables(scratch) -> dict[str, set[str]]:
    return {t: {r[0] for r in scratch.query(f"select distinct snapshot_id from raw.inferencemax_{t}")} for t in ALL_TABLES}


def test_retention_keeps_newest_n_in_archive_and_raw_tables(server, scratch, make_config):
    cfg = make_config(server, retention=2)
    ids = []
    for day in range(3):
        bump(server, day)
        ids.append(run(cfg, scratch, fetched_at=T1 + timedelta(days=day)).snapshot_id)
    assert len(set(ids)) == 3

    assert scratch.archived_ids() == set(ids[1:])
    assert ids_in_tables(scratch) == {t: set(ids[1:]) for t in ALL_TABLES}
    assert scratch.counts() == {"snapshots": 2, "files": 8, "points": 96, "fetches": 2}

    # Re-fetching the oldest kept content makes it the newest, so the other one goes instead.
    bump(server, 1)
    result = run(cfg, scratch, fetched_at=T1 + timedelta(days=5))
    assert result.snapshot_id == ids[1] and result.expired == []
    bump(server, 3)
    result = run(cfg, scratch, fetched_at=T1 + timedelta(days=6))
    assert result.expired == [ids[2]]
    assert scratch.archived_ids() == {ids[1], result.snapshot_id}
    assert ids_in_tables(scratch)["points"] == {ids[1], result.snapshot_id}


def test_without_retention_everything_is_kept(server, scratch, make_config):
    cfg = make_config(server)
    for day in range(3):
        bump(server, day)
        run(cfg, scratch, fetched_at=T1 + timedelta(days=day))
    assert len(scratch.archived_ids()) == 3 and scratch.counts()["snapshots"] == 3


def test_choose_expired_ranks_by_time_and_prefers_the_current_snapshot_on_ties():
    t = T1
    times = {"a": t, "b": t + timedelta(hours=1), "c": t + timedelta(hours=2), "d": t}
    assert choose_expired(times, 2, "c") == ["a", "d"]
    assert choose_expired(times, 3, "a") == ["d"]
    assert choose_expired(times, 10, "a") == []


def test_failure_inside_the_landing_transaction_rolls_everything_back(server, scratch, make_config, tmp_path):
    cfg = make_config(server)
    probe = ingest_inferencemax(cfg, warehouse=tmp_path / "probe.duckdb", archive_root=tmp_path / "probe-archive",
                                progress=False)
    # A file row already present for this snapshot makes the files insert violate the primary key after
    # the snapshot row went in: a real mid-transaction failure.
    scratch.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(scratch.warehouse)) as con:
        ensure_raw_schema(con)
        con.execute("insert into raw.inferencemax_files values (?, ?, 'x', 'm', '1k_1k', 'e2e', 's', 0, [], now(), now())",
                    [probe.snapshot_id, server.names()[0]])
    with pytest.raises(IngestError) as err:
        run(cfg, scratch)
    message = str(err.value)
    assert message.startswith(f"{scratch.warehouse}: landing snapshot {probe.snapshot_id} failed, nothing was landed")
    assert "\n" not in message
    assert scratch.counts() == {"snapshots": 0, "files": 1, "points": 0, "fetches": 0}
    assert scratch.fetch_log() == []
    # Documented behaviour: the archive snapshot written before landing stays, and is simply re-used.
    assert scratch.archived_ids() == {probe.snapshot_id}


def test_locked_warehouse_fails_with_a_clear_message(server, scratch, make_config):
    scratch.warehouse.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(60)",
         str(scratch.warehouse)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IngestError, match=r"warehouse is locked by another process") as err:
            run(make_config(server), scratch)
        assert str(err.value).startswith(str(scratch.warehouse))
    finally:
        holder.kill()
        holder.wait(10)
    assert scratch.counts()["points"] == 0
    run(make_config(server), scratch)  # and once the lock is gone, the same ingest lands
    assert scratch.counts()["points"] == 48


def test_importing_a_capture_older_than_the_kept_ones_expires_it_and_says_so(server, scratch, make_config, tmp_path):
    from typer.testing import CliRunner
    from ingest.cli import ingest_app

    cfg = make_config(server, retention=1)
    newest = run(cfg, scratch, fetched_at=T1 + timedelta(days=10))
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    for name, body in server.files.items():
        pts = json.loads(body)
        pts[0]["y"] = 1.5
        (old_dir / name.replace("-1k_1k-", "_1k_1k_")).write_text(json.dumps(
            {"metadata": {"timestamp": T1.replace(tzinfo=None).isoformat()}, "data": pts}))
    config = tmp_path / "ingest.yaml"
    config.write_text(f"inferencemax:\n  models: [{', '.join(cfg.inferencemax.models)}]\n"
                      f"  sequences: [{', '.join(cfg.inferencemax.sequences)}]\n")
    result = CliRunner().invoke(ingest_app, ["inferencemax", "--from", str(old_dir), "--retention", "1",
                                             "--config", str(config)], env=scratch.env())
    assert result.exit_code == 0, result.output
    assert "this snapshot is older than the newest 1 and was removed again" in result.stdout
    assert scratch.archived_ids() == {newest.snapshot_id}
    assert ids_in_tables(scratch) == {t: {newest.snapshot_id} for t in ALL_TABLES}


def test_unwritable_archive_is_an_ingest_error_and_lands_nothing(server, scratch, make_config):
    scratch.root.joinpath("archive").write_text("a file where the archive directory should be")
    with pytest.raises(IngestError, match=r"cannot write the archive snapshot, nothing was landed"):
        run(make_config(server), scratch)
    assert scratch.counts()["points"] == 0
