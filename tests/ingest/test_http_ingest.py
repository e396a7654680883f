"""The live path against a real HTTP server on 127.0.0.1: landing, lineage, idempotency, retries and
every way a fetch can go wrong."""

import gzip
import hashlib
import json
import stat
import time
from datetime import datetime, timezone

import duckdb
import pytest

from ingest.errors import IngestError
from ingest.inferencemax import ingest_inferencemax

T0 = datetime(2025, 10, 23, 6, 0, tzinfo=timezone.utc)


def run(cfg, scratch, **kw):
    return ingest_inferencemax(cfg, warehouse=scratch.warehouse, archive_root=scratch.archive, progress=False, **kw)


def canonical(point) -> str:
    return json.dumps(point, sort_keys=True, separators=(",", ":"))


def test_happy_path_lands_every_file_with_counts_and_lineage(server, scratch, make_config):
    result = run(make_config(server), scratch, fetched_at=T0)
    names = server.names()

    # Snapshot id is defined independently of the implementation: sha256 over sorted name<TAB>sha lines.
    lines = sorted(f"{n}\t{hashlib.sha256(server.files[n]).hexdigest()}\n" for n in names)
    assert result.snapshot_id == hashlib.sha256("".join(lines).encode()).hexdigest()[:16]
    assert result.was_new and result.archive_was_new
    assert result.file_count == 4
    assert result.file_counts == {n: len(server.points(n)) for n in names}
    assert result.record_count == sum(result.file_counts.values()) == 48
    assert result.hw_keys == ["b200", "h100", "mi300x"]
    assert result.source == server.url
    assert scratch.counts() == {"snapshots": 1, "files": 4, "points": 48, "fetches": 1}

    files = {r[0]: r[1:] for r in scratch.query(
        "select source_file, source_url, model_slug, sequence_slug, data_type, sha256, record_count, hw_keys,"
        " fetched_at from raw.inferencemax_files")}
    assert set(files) == set(names)
    url, model, seq, dtype, sha, count, hw, fetched = files["mini-dense-3b-1k_1k-e2e.json"]
    assert url == server.url_of("mini-dense-3b-1k_1k-e2e.json")
    assert (model, seq, dtype) == ("mini-dense-3b", "1k_1k", "e2e")
    assert sha == hashlib.sha256(server.files["mini-dense-3b-1k_1k-e2e.json"]).hexdigest()
    assert count == 12 and hw == ["b200", "h100", "mi300x"]
    assert fetched == T0.replace(tzinfo=None)

    # Every point verbatim (canonical JSON text, unknown fields included), in file order, with lineage.
    for name in names:
        rows = scratch.query(
            "select record_index, record::varchar, record_sha256, snapshot_id, model_slug, data_type, fetched_at,"
            " loaded_at from raw.inferencemax_points where source_file = ? order by record_index", [name])
        expected = server.points(name)
        assert [r[0] for r in rows] == list(range(len(expected)))
        for (i, record, sha, sid, model, dtype, fetched, loaded), point in zip(rows, expected):
            assert record == canonical(point)
            assert json.loads(record)["future_field"]["note"] == "unknown fields are kept"
            assert sha == hashlib.sha256(canonical(point).encode()).hexdigest()
            assert sid == result.snapshot_id and name.startswith(model) and name.endswith(f"-{dtype}.json")
            assert fetched == T0.replace(tzinfo=None) and loaded >= fetched

    (snap,) = scratch.query("select snapshot_id, source, fetched_at, file_count, record_count, archive_path,"
                            " manifest::varchar from raw.inferencemax_snapshots")
    assert snap[:5] == (result.snapshot_id, server.url, T0.replace(tzinfo=None), 4, 48)
    assert snap[5] == str(result.archive_path)
    assert json.loads(snap[6])["snapshot_id"] == result.snapshot_id
    assert scratch.query("select snapshot_id, source, fetched_at, was_new from raw.inferencemax_fetches") == [
        (result.snapshot_id, server.url, T0.replace(tzinfo=None), True)]

    # The archive holds the bytes exactly as served, read-only, with a manifest describing them.
    snap_dir = scratch.snapshots_dir / result.snapshot_id
    assert result.archive_path == snap_dir
    manifest = json.loads((snap_dir / "manifest.json").read_text())
    assert manifest["snapshot_id"] == result.snapshot_id and manifest["source"] == server.url
    assert datetime.fromisoformat(manifest["fetched_at"]) == T0
    assert manifest["tool"]["version"]
    by_name = {f["name"]: f for f in manifest["files"]}
    assert set(by_name) == set(names)
    for name in names:
        stored = snap_dir / "files" / name
        assert stored.read_bytes() == server.files[name]
        assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        entry = by_name[name]
        assert entry["url"] == server.url_of(name)
        assert entry["bytes"] == len(server.files[name]) and entry["record_count"] == 12
        assert entry["hw_keys"] == ["b200", "h100", "mi300x"]
    assert not [p for p in scratch.snapshots_dir.iterdir() if p.name.startswith(".tmp")]
    (event,) = scratch.fetch_log()
    assert {k: event[k] for k in ("snapshot_id", "source", "fetched_at", "was_new")} == {
        "snapshot_id": result.snapshot_id, "source": server.url, "fetched_at": T0.isoformat(), "was_new": True}
    assert event["warehouse"] == str(scratch.warehouse.resolve()) and event["warehouse_id"]  # rebuild: this warehouse


def test_reingesting_identical_content_adds_only_a_fetch_row(server, scratch, make_config):
    cfg = make_config(server)
    first = run(cfg, scratch)
    snap_dir = scratch.snapshots_dir / first.snapshot_id
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in snap_dir.rglob("*") if p.is_file()}

    second = run(cfg, scratch)

    assert second.snapshot_id == first.snapshot_id
    assert second.was_new is False and second.archive_was_new is False
    assert scratch.counts() == {"snapshots": 1, "files": 4, "points": 48, "fetches": 2}
    assert [r[0] for r in scratch.query("select was_new from raw.inferencemax_fetches order by fetched_at")] == [True, False]
    assert scratch.query("select count(distinct record_sha256) from raw.inferencemax_points") == [(48,)]
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in snap_dir.rglob("*") if p.is_file()} == before
    assert scratch.archived_ids() == {first.snapshot_id}
    assert [e["was_new"] for e in scratch.fetch_log()] == [True, False]


def test_changed_content_is_a_new_snapshot(server, scratch, make_config):
    cfg = make_config(server)
    first = run(cfg, scratch)
    name = server.names()[0]
    points = server.points(name)
    points[0]["y"] += 1
    server.files[name] = json.dumps(points).encode()
    second = run(cfg, scratch)
    assert second.snapshot_id != first.snapshot_id and second.was_new
    assert scratch.counts() == {"snapshots": 2, "files": 8, "points": 96, "fetches": 2}
    assert scratch.archived_ids() == {first.snapshot_id, second.snapshot_id}


def test_server_error_is_retried_then_lands(server, scratch, make_config):
    name = server.names()[1]
    server.script(name, server.Reply(status=500, body=b"oops"), server.Reply())
    result = run(make_config(server, retries=2), scratch)
    assert server.hits[name] == 2
    assert all(server.hits[n] == 1 for n in server.names() if n != name)
    assert result.file_counts[name] == 12
    assert scratch.counts()["points"] == 48


def test_429_waits_for_retry_after_then_lands(server, scratch, make_config):
    name = server.names()[2]
    server.script(name, server.Reply(status=429, headers={"Retry-After": "1"}), server.Reply())
    started = time.monotonic()
    run(make_config(server, retries=1), scratch)
    elapsed = time.monotonic() - started
    assert server.hits[name] == 2
    assert elapsed >= 0.9, f"Retry-After: 1 was not respected (backoff_s is only 0.01), took {elapsed:.2f}s"
    assert scratch.counts()["files"] == 4


def test_404_fails_at_once_without_retries_and_lands_nothing(server, scratch, make_config):
    name = server.names()[3]
    server.script(name, server.Reply(status=404, body=b"not found", content_type="text/plain"))
    with pytest.raises(IngestError) as err:
        run(make_config(server, retries=3), scratch)
    assert server.hits[name] == 1
    assert server.url_of(name) in str(err.value) and "HTTP 404" in str(err.value)
    assert scratch.counts() == {"snapshots": 0, "files": 0, "points": 0, "fetches": 0}
    assert scratch.archived_ids() == set()


def test_persistent_5xx_gives_up_after_retries(server, scratch, make_config):
    name = server.names()[0]
    server.script(name, server.Reply(status=503, body=b"down"))
    with pytest.raises(IngestError, match=r"HTTP 503 .*gave up after 3 attempts") as err:
        run(make_config(server, retries=2), scratch)
    assert server.hits[name] == 3
    assert server.url_of(name) in str(err.value)


def test_timeout_exhausts_retries_and_leaves_warehouse_and_archive_untouched(server, scratch, make_config):
    cfg = make_config(server, retries=1, timeout_s=0.5)
    earlier = run(cfg, scratch)
    counts, archived, log = scratch.counts(), scratch.archived_ids(), scratch.fetch_log()

    # New content in one file (so success would make a new snapshot) and a server too slow for another.
    changed = server.names()[0]
    server.files[changed] = json.dumps(server.points(changed)[:5]).encode()
    slow = server.names()[1]
    server.script(slow, server.Reply(delay=1.5))
    with pytest.raises(IngestError) as err:
        run(cfg, scratch)

    message = str(err.value)
    assert server.url_of(slow) in message and "timed out after 0.5s" in message and "gave up after 2 attempts" in message
    assert server.hits[slow] == 1 + 2  # one in the earlier run, then 1 + retries
    assert scratch.counts() == counts
    assert scratch.archived_ids() == archived == {earlier.snapshot_id}
    assert scratch.fetch_log() == log


@pytest.mark.parametrize("body, content_type, expected", [
    (None, "application/json", r"invalid JSON at line 1 column \d+ \(byte \d+\): .*looks truncated"),
    (b"<!DOCTYPE html><html><body>Rate limited</body></html>", "text/html", "got an HTML page, not JSON"),
    (b"\n  <html>maintenance</html>", "application/json", "got an HTML page, not JSON"),
    (b"", "application/json", "empty file, not JSON"),
    (b'{"data": []}', "application/json", "expected a JSON array of points, got an object"),
    (b'[{"x": NaN}]', "application/json", "non-standard constant NaN"),
    (b'[{"x": 1e400}]', "application/json", "number 1e400 is out of range for a double"),
], ids=["truncated", "html-content-type", "html-body", "empty", "wrapped-over-http", "nan", "overflow"])
def test_bad_payload_is_a_one_line_error_and_lands_nothing(server, scratch, make_config, body, content_type, expected):
    name = server.names()[0]
    if body is None:
        body = server.files[name][:-40]
    server.script(name, server.Reply(body=body, content_type=content_type))
    with pytest.raises(IngestError, match=expected) as err:
        run(make_config(server), scratch)
    assert str(err.value).startswith(server.url_of(name) + ": ")
    assert "\n" not in str(err.value)
    assert scratch.counts()["points"] == 0 and scratch.archived_ids() == set()


@pytest.mark.parametrize("mutate, expected", [
    (lambda p: p.pop("hwKey"), "record 3: missing key field 'hwKey'"),
    (lambda p: p.update(x="twelve"), "record 3: field 'x' is a string 'twelve', expected a number"),
    (lambda p: p.update(tp=True), "record 3: field 'tp' is a boolean, expected a number"),
    (lambda p: p.update(precision=None), "record 3: field 'precision' is null, expected a string"),
    (lambda p: p.update(conc=[4]), "record 3: field 'conc' is an array, expected a number"),
])
def test_strict_bad_key_field_names_file_record_and_field_and_lands_nothing(server, scratch, make_config, mutate, expected):
    name = server.names()[2]
    points = server.points(name)
    mutate(points[3])
    server.files[name] = json.dumps(points).encode()
    with pytest.raises(IngestError) as err:
        run(make_config(server), scratch, strict=True)
    assert str(err.value) == f"{server.url_of(name)}: {expected}; --strict refuses the snapshot"
    assert scratch.counts()["points"] == 0 and scratch.archived_ids() == set()
    # without --strict the same snapshot lands whole, that one record quarantined with the same reason
    result = run(make_config(server), scratch)
    assert result.records_quarantined == 1 and result.quarantined == [f"{name} {expected}"]
    assert scratch.query("select record_index, quarantine_reasons from raw.inferencemax_points "
                         "where quarantine_reasons is not null") == [(3, expected.removeprefix("record 3: "))]


def test_strict_many_bad_records_report_the_first_and_count_the_rest(server, scratch, make_config):
    name = server.names()[0]
    points = server.points(name)
    for p in points[2:5]:
        del p["y"]
    server.files[name] = json.dumps(points).encode()
    with pytest.raises(IngestError, match=r"record 2: missing key field 'y' \(and 2 more bad records in this file\); "
                                          r"--strict refuses the snapshot$"):
        run(make_config(server), scratch, strict=True)


def test_compressed_archive_round_trips_to_the_fetched_bytes(server, scratch, make_config):
    result = run(make_config(server, compress=True), scratch)
    files_dir = result.archive_path / "files"
    assert sorted(p.name for p in files_dir.iterdir()) == sorted(n + ".gz" for n in server.names())
    for name in server.names():
        packed = (files_dir / f"{name}.gz").read_bytes()
        assert gzip.decompress(packed) == server.files[name]
        assert len(packed) < len(server.files[name])
    manifest = json.loads((result.archive_path / "manifest.json").read_text())
    assert manifest["compressed"] is True
    assert {f["stored_as"] for f in manifest["files"]} == {f"files/{n}.gz" for n in server.names()}

    # Replaying the compressed archive into a fresh warehouse gives the same snapshot and points.
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in files_dir.iterdir()}
    other = scratch.root / "rebuilt.duckdb"
    replay = ingest_inferencemax(make_config(server), from_dir=result.archive_path, warehouse=other,
                                 archive_root=scratch.archive, progress=False)
    assert replay.snapshot_id == result.snapshot_id and replay.was_new and not replay.archive_was_new
    assert replay.source == server.url and replay.fetched_at == result.fetched_at
    with duckdb.connect(str(other), read_only=True) as con:
        rebuilt = con.execute("select source_file, record_index, record_sha256 from raw.inferencemax_points order by all").fetchall()
    assert rebuilt == scratch.query("select source_file, record_index, record_sha256 from raw.inferencemax_points order by all")
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in files_dir.iterdir()} == before


def test_connection_refused_is_retried_then_reported(scratch, make_config, server):
    import socket
    with socket.socket() as s:  # a port nothing listens on once this socket is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server.url = f"http://127.0.0.1:{port}"
    with pytest.raises(IngestError, match=r"connection failed: .*Connection refused \(gave up after 2 attempts\)"):
        run(make_config(server, retries=1), scratch)
    assert scratch.counts()["points"] == 0


def test_retry_after_parsing_and_backoff_bounds():
    from email.utils import format_datetime
    from datetime import timedelta
    from ingest.fetch import _retry_after_s, backoff_delay

    assert _retry_after_s("3") == 3.0
    assert _retry_after_s(None) is None and _retry_after_s("soon") is None
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= _retry_after_s(later) <= 31
    for attempt in range(4):
        d = backoff_delay(attempt, 1.0)
        assert 2 ** attempt / 2 <= d <= 2 ** attempt
    assert backoff_delay(30, 1.0) <= 60


def test_retry_after_beyond_the_cap_fails_instead_of_hanging(server, scratch, make_config):
    name = server.names()[0]
    server.script(name, server.Reply(status=503, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    with pytest.raises(IngestError, match=r"HTTP 503 .*server asks to retry after 3600s"):
        run(make_config(server, retries=4), scratch)
    assert server.hits[name] == 1 and time.monotonic() - started < 5
