"""Record-level problems quarantine the record, not the snapshot; whole and sanely dated snapshots.

Each case is a copy of the bundled sample snapshot (18 files, the default configuration) with one record
edited, landed by the real ingester into a real DuckDB file: the edited record lands verbatim with every
reason, every other point lands normally.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp import web
from typer.testing import CliRunner

from ingest.cli import ingest_app
from ingest.config import Config, InferenceMaxConfig
from ingest.errors import EXIT_FAILED, EXIT_QUARANTINED, IngestError
from ingest.inferencemax import ingest_inferencemax
from semibench_core import paths
from tests.dashboard_server import ThreadedDashboardServer

FILE = "gpt-oss-120b-1k_8k-interactivity.json"
T0 = datetime(2025, 10, 23, 6, 0, tzinfo=timezone.utc)


def sample_copy(dst: Path) -> Path:
    shutil.copytree(paths.sample_dir(), dst)
    for f in dst.glob("*.json"):
        f.chmod(0o644)
    return dst


def edit(directory: Path, fn, name: str = FILE) -> None:
    path = directory / name
    points = json.loads(path.read_text())
    path.write_text(json.dumps(fn(points)))


def sample_points() -> int:
    return sum(len(json.loads(f.read_text())) for f in paths.sample_dir().glob("*.json"))


def run(scratch, from_dir, config=None, **kw):
    return ingest_inferencemax(config or Config(), from_dir=from_dir, warehouse=scratch.warehouse,
                               archive_root=scratch.archive, progress=False, **kw)


def set_field(index, **fields):
    def fn(points):
        points[index].update(fields)
        return points
    return fn


def drop_field(index, key):
    def fn(points):
        del points[index][key]
        return points
    return fn


def replace_record(index, value):
    def fn(points):
        points[index] = value
        return points
    return fn


def duplicate_of(index):
    """A second, different point with the run key of points[index] (hwKey, precision, tp, conc)."""
    def fn(points):
        points.append(dict(points[index], x=points[index]["x"] * 2))
        return points
    return fn


def duplicate_via_alias(points):
    """h200-trt is the hyphenated spelling of h200_trt (hardware_key_aliases seed): the same run twice."""
    twin = next(p for p in points if p["hwKey"] == "h200_trt")
    points.append(dict(twin, hwKey="h200-trt", x=twin["x"] * 2))
    return points


# (edit, record index or -1 for the last, the expected reasons exactly)
CASES = {
    "null-metric": (set_field(3, x=None), 3, "field 'x' is null, expected a number"),
    "non-numeric-string": (set_field(3, conc="sixteen"), 3, "field 'conc' is a string 'sixteen', expected a number"),
    "padded-numeric-string": (set_field(3, tp=" 8"), 3, "field 'tp' is a string ' 8', expected a number"),
    "missing-key-field": (drop_field(3, "hwKey"), 3, "missing key field 'hwKey'"),
    "wrong-type-boolean": (set_field(3, tp=True), 3, "field 'tp' is a boolean, expected a number"),
    "wrong-type-array": (set_field(3, precision=["fp8"]), 3, "field 'precision' is an array, expected a string"),
    "empty-string": (set_field(3, hwKey=" "), 3, "field 'hwKey' is empty"),
    "unknown-precision": (set_field(3, precision="fp9"), 3,
                          "unknown precision 'fp9' (known: bf16, fp16, fp32, fp4, fp8, int4, int8, mxfp4, nvfp4, "
                          "w4a16, w8a8)"),
    "negative-throughput": (set_field(3, y=-5.0), 3, "field 'y' is -5, expected a positive throughput"),
    "zero-x": (set_field(3, x=0), 3, "field 'x' is 0, expected a positive x"),
    "fractional-conc": (set_field(3, conc=2.5), 3, "field 'conc' is 2.5, expected a whole number"),
    "huge-conc": (set_field(3, conc=2**40), 3, "field 'conc' is 1.09951e+12, too large for an integer column"),
    "non-object-record": (replace_record(3, 42), 3, "is a number, expected an object"),
    "null-record": (replace_record(3, None), 3, "is null, expected an object"),
    "bad-date": (set_field(3, date="yesterday"), 3, "field 'date' is 'yesterday', expected a date such as 2025-10-23"),
    "duplicate-run-key": (duplicate_of(3), -1, "duplicate run key (hwKey, precision, tp, conc, date) of record 3"),
    "duplicate-after-alias": (duplicate_via_alias, -1, None),
    "every-reason-listed": (set_field(3, x=None, y="n/a", precision="fp9", tp=0), 3,
                            "field 'x' is null, expected a number; field 'y' is a string 'n/a', expected a number; "
                            "unknown precision 'fp9' (known: bf16, fp16, fp32, fp4, fp8, int4, int8, mxfp4, nvfp4, "
                            "w4a16, w8a8); field 'tp' is 0, expected a positive tp"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_record_is_quarantined_and_the_rest_of_the_snapshot_lands(scratch, tmp_path, case):
    fn, index, reasons = CASES[case]
    src = sample_copy(tmp_path / "snap")
    edit(src, fn)
    total = len(json.loads((src / FILE).read_text())) - len(json.loads((paths.sample_dir() / FILE).read_text()))
    index = index if index >= 0 else len(json.loads((src / FILE).read_text())) - 1

    result = run(scratch, src)

    assert result.file_count == 18 and result.record_count == sample_points() + total
    assert result.records_quarantined == 1
    landed = scratch.query("select source_file, record_index, quarantine_reasons from raw.inferencemax_points "
                           "where quarantine_reasons is not null")
    assert [(f, i) for f, i, _ in landed] == [(FILE, index)]
    if reasons is None:  # the alias case: the reason names whichever h200_trt record came first
        assert landed[0][2].startswith("duplicate run key (hwKey, precision, tp, conc, date) of record ")
    else:
        assert landed[0][2] == reasons
        assert result.quarantined == [f"{FILE} record {index}: {reasons}"]
    # landed verbatim: the stored record is the served one
    (stored,) = scratch.query("select record::varchar from raw.inferencemax_points where source_file = ? and "
                              "record_index = ?", [FILE, index])[0]
    assert json.loads(stored) == json.loads((src / FILE).read_text())[index]
    assert scratch.counts()["points"] == result.record_count


@pytest.mark.parametrize("field, text", [("conc", None), ("tp", None), ("x", "1.5"), ("y", "2e3")])
def test_numeric_string_is_accepted_with_a_note(scratch, tmp_path, field, text):
    src = sample_copy(tmp_path / "snap")
    own = json.loads((src / FILE).read_text())[3][field]
    text = text or str(own)  # conc/tp: the record's own value as a string, so its run key is unchanged
    edit(src, set_field(3, **{field: text}))
    result = run(scratch, src)
    assert result.records_quarantined == 0
    assert scratch.query("select record_index, notes from raw.inferencemax_points where notes is not null") == [
        (3, f"coerced: {field} from string '{text}'")]


def test_strict_refuses_the_snapshot_naming_file_record_and_field(scratch, tmp_path):
    src = sample_copy(tmp_path / "snap")
    edit(src, set_field(3, x=None))
    edit(src, set_field(7, conc="16"))  # accepted even when strict: it is a number
    with pytest.raises(IngestError) as err:
        run(scratch, src, strict=True)
    assert str(err.value) == f"{src / FILE}: record 3: field 'x' is null, expected a number; --strict refuses the snapshot"
    assert scratch.counts()["points"] == 0 and scratch.archived_ids() == set()


def test_cli_exit_codes_and_summary(scratch, tmp_path):
    src = sample_copy(tmp_path / "snap")
    edit(src, set_field(3, x=None))
    runner = CliRunner()
    strict = runner.invoke(ingest_app, ["inferencemax", "--from", str(src), "--strict"], env=scratch.env())
    assert strict.exit_code == EXIT_FAILED
    assert strict.stderr.count("\n") == 1 and "record 3: field 'x' is null" in strict.stderr

    landed = runner.invoke(ingest_app, ["inferencemax", "--from", str(src)], env=scratch.env())
    assert landed.exit_code == EXIT_QUARANTINED, landed.output
    assert "quarantined 1 (landed, kept out of the marts" in landed.stdout
    assert f"  {FILE} record 3: field 'x' is null, expected a number" in landed.stdout

    clean = runner.invoke(ingest_app, ["inferencemax", "--from", str(paths.sample_dir()), "-q"], env=scratch.env())
    assert clean.exit_code == 0 and clean.stdout.endswith(", 0 quarantined\n")


# ---------------------------------------------------------------- whole snapshots

def test_missing_file_is_refused_naming_it_and_lands_nothing(scratch, tmp_path):
    src = sample_copy(tmp_path / "snap")
    (src / FILE).unlink()
    with pytest.raises(IngestError) as err:
        run(scratch, src)
    assert str(err.value) == (f"{src.resolve()}: incomplete snapshot, nothing landed: missing 1 of 18 configured files: "
                              f"{FILE} (--allow-partial lands it flagged partial, never as the latest snapshot)")
    assert scratch.counts()["points"] == 0 and scratch.archived_ids() == set()


def test_empty_file_is_refused_naming_it(scratch, tmp_path):
    src = sample_copy(tmp_path / "snap")
    (src / FILE).write_text("[]")
    (src / "deepseek-r1-0528-1k_1k-e2e.json").unlink()
    with pytest.raises(IngestError, match=r"missing 1 of 18 configured files: deepseek-r1-0528-1k_1k-e2e\.json; "
                                          rf"empty \(\[\]\): {FILE} \(--allow-partial") as err:
        run(scratch, src)
    assert "\n" not in str(err.value)


def test_allow_partial_lands_flagged_and_replays_flagged(scratch, tmp_path):
    src = sample_copy(tmp_path / "snap")
    (src / FILE).unlink()
    result = run(scratch, src, allow_partial=True, fetched_at=T0)
    assert result.is_partial and result.missing_files == [FILE] and result.file_count == 17
    assert scratch.query("select is_partial from raw.inferencemax_snapshots") == [(True,)]
    manifest = json.loads((result.archive_path / "manifest.json").read_text())
    assert manifest["partial"] is True

    # a rebuild replays the archive snapshot with its flag, without --allow-partial
    fresh = type(scratch)(tmp_path / "fresh")
    replayed = run(fresh, result.archive_path)
    assert replayed.is_partial and fresh.query("select is_partial from raw.inferencemax_snapshots") == [(True,)]


def test_live_fetch_with_allow_partial_skips_a_file_the_server_does_not_have(server, scratch, make_config):
    gone = server.names()[1]
    server.script(gone, server.Reply(status=404))
    with pytest.raises(IngestError, match="HTTP 404"):
        ingest_inferencemax(make_config(server), warehouse=scratch.warehouse, archive_root=scratch.archive,
                            progress=False)
    result = ingest_inferencemax(make_config(server), warehouse=scratch.warehouse, archive_root=scratch.archive,
                                 progress=False, allow_partial=True)
    assert result.is_partial and result.missing_files == [gone] and result.file_count == 3
    # a snapshot with no file left is nothing, not a partial snapshot
    for name in server.names():
        server.script(name, server.Reply(status=404))
    with pytest.raises(IngestError, match="no points in any file, nothing to land"):
        ingest_inferencemax(make_config(server), warehouse=scratch.warehouse, archive_root=scratch.archive,
                            progress=False, allow_partial=True)
    server.scripts.clear()
    # other failures still fail the snapshot, partial or not
    server.script(gone, server.Reply(status=403))
    with pytest.raises(IngestError, match="HTTP 403"):
        ingest_inferencemax(make_config(server), warehouse=scratch.warehouse, archive_root=scratch.archive,
                            progress=False, allow_partial=True)


def test_files_beyond_the_configuration_are_fine(scratch, tmp_path):
    src = sample_copy(tmp_path / "snap")
    shutil.copy(src / FILE, src / "brand-new-model-1k_8k-interactivity.json")
    result = run(scratch, src)
    assert result.file_count == 19 and not result.is_partial


# ---------------------------------------------------------------- sane snapshot times

def test_future_fetched_at_is_refused(scratch, tmp_path):
    later = datetime.now(timezone.utc) + timedelta(minutes=10)
    with pytest.raises(IngestError, match=r"^--fetched-at \S+ is in the future \(now \S+, 5 min clock skew allowed\): "
                                          r"it would hide every later snapshot$"):
        run(scratch, paths.sample_dir(), fetched_at=later)
    assert scratch.counts()["snapshots"] == 0 and scratch.archived_ids() == set()

    result = CliRunner().invoke(ingest_app, ["inferencemax", "--from", str(paths.sample_dir()),
                                             "--fetched-at", "2099-01-01T00:00:00Z"], env=scratch.env())
    assert result.exit_code == EXIT_FAILED
    assert result.stderr.startswith("error: --fetched-at 2099-01-01T00:00:00+00:00 is in the future")

    # within the clock skew is fine (a capture host's clock may run a little ahead)
    assert run(scratch, paths.sample_dir(), fetched_at=datetime.now(timezone.utc) + timedelta(minutes=3)).was_new


def test_future_time_in_legacy_metadata_is_refused(scratch, tmp_path):
    src = tmp_path / "legacy"
    src.mkdir()
    for f in paths.sample_dir().glob("*.json"):
        stem = f.name[: -len(".json")]
        rest, data_type = stem.rsplit("-", 1)
        model, seq = rest.rsplit("-", 1)
        (src / f"{model}_{seq}_{data_type}.json").write_text(json.dumps(
            {"metadata": {"timestamp": "2099-06-01T00:00:00"}, "data": json.loads(f.read_text())}))
    with pytest.raises(IngestError, match=r": snapshot time 2099-06-01T00:00:00\+00:00 is in the future"):
        run(scratch, src)


# ---------------------------------------------------------------- model names of any shape

QUOTED = "it's-a-\"model\" 2"


def test_model_slug_with_quotes_and_spaces_lands_from_a_directory(scratch, tmp_path):
    src = sample_copy(tmp_path / "snap")
    for t in ("interactivity", "e2e"):
        shutil.copy(src / f"gpt-oss-120b-1k_8k-{t}.json", src / f"{QUOTED}-1k_8k-{t}.json")
    result = run(scratch, src)
    assert result.records_quarantined == 0
    assert scratch.query("select distinct model_slug from raw.inferencemax_points where model_slug like 'it%'") == [
        (QUOTED,)]
    # and the archive snapshot replays
    fresh = type(scratch)(tmp_path / "fresh")
    assert run(fresh, result.archive_path).snapshot_id == result.snapshot_id


class PathServer(ThreadedDashboardServer):
    """Serves files at any depth below /data/inference-performance/ (a slug may be a path)."""

    def __init__(self, files: dict[str, bytes]):
        super().__init__()
        self.files = files

    async def _handle(self, request: web.Request) -> web.Response:
        body = self.files.get(request.match_info["name"])
        return web.Response(body=body, content_type="application/json") if body else web.Response(status=404)

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_get("/data/inference-performance/{name:.+}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return site._server.sockets[0].getsockname()[1]


def test_model_slug_with_a_path_and_quotes_fetches_archives_and_replays(scratch, tmp_path):
    slug = "org/it's \"v2\""
    body = (paths.sample_dir() / FILE).read_bytes()
    server = PathServer({f"{slug}-1k_1k-{t}.json": body for t in ("interactivity", "e2e")}).start()
    try:
        cfg = Config(inferencemax=InferenceMaxConfig(base_url=server.url, models=(slug,), sequences=("1k_1k",),
                                                     retries=0, timeout_s=5))
        result = ingest_inferencemax(cfg, warehouse=scratch.warehouse, archive_root=scratch.archive, progress=False)
    finally:
        server.stop()
    assert result.file_count == 2 and result.records_quarantined == 0
    assert scratch.query("select distinct model_slug from raw.inferencemax_files") == [(slug,)]
    stored = sorted(p.name for p in (result.archive_path / "files").iterdir())
    assert stored == [f"org%2Fit's \"v2\"-1k_1k-{t}.json" for t in ("e2e", "interactivity")]
    fresh = type(scratch)(tmp_path / "fresh")
    assert run(fresh, result.archive_path).snapshot_id == result.snapshot_id
