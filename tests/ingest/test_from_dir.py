"""Offline ingest from a directory: served names, the old pipeline's wrapped files, archive snapshots,
and the real captures in ../shared when they are present."""

import gzip
import json
import os
import shutil
from datetime import datetime, timezone

import pytest

from ingest.config import Config, InferenceMaxConfig
from ingest.errors import IngestError
from ingest.inferencemax import ingest_inferencemax

MODELS = ("tiny-moe-8b", "mini-dense-3b")
# the synthetic captures below are whole snapshots of this configuration
CONFIG = Config(inferencemax=InferenceMaxConfig(models=MODELS, sequences=("1k_8k",)))
# the old pipeline's archive has gpt-oss and DeepSeek only
LEGACY_CONFIG = Config(inferencemax=InferenceMaxConfig(models=("gpt-oss-120b", "deepseek-r1-0528")))


def run(scratch, from_dir, config=CONFIG, **kw):
    return ingest_inferencemax(config, from_dir=from_dir, warehouse=scratch.warehouse,
                               archive_root=scratch.archive, progress=False, **kw)


def points(model, data_type, n=6):
    return [{"x": i + 0.5, "y": 100.0 * (i + 1), "hwKey": ["b200", "h100"][i % 2], "precision": "fp8",
             "tp": 8, "conc": 2 ** i, "model_hint": model, "kind": data_type} for i in range(n)]


def write_served(directory, n=6):
    directory.mkdir(parents=True, exist_ok=True)
    for m in MODELS:
        for t in ("interactivity", "e2e"):
            (directory / f"{m}-1k_8k-{t}.json").write_text(json.dumps(points(m, t, n)))
    return directory


def write_legacy(directory, stamp="2025-10-24T09:48:33.5"):
    directory.mkdir(parents=True, exist_ok=True)
    for m in MODELS:
        for t in ("interactivity", "e2e"):
            doc = {"metadata": {"model": m.upper(), "sequence": "1K / 8K", "data_type": t, "timestamp": stamp,
                                "source_url": f"https://example.invalid/data/inference-performance/{m}-1k_8k-{t}.json",
                                "record_count": 6},
                   "data": points(m, t)}
            (directory / f"{m}_1k_8k_{t}.json").write_text(json.dumps(doc, indent=2))
    return directory


def test_served_names_land_and_other_files_are_ignored(scratch, tmp_path):
    src = write_served(tmp_path / "capture")
    (src / "README.txt").write_text("notes")
    (src / "manifest.json").write_text("{}")  # a stray manifest without files/ is not an archive snapshot
    (src / "sub").mkdir()
    result = run(scratch, src)
    assert result.file_count == 4 and result.record_count == 24
    assert result.source == str(src.resolve())
    assert scratch.counts() == {"snapshots": 1, "files": 4, "points": 24, "fetches": 1}
    assert sorted(r[0] for r in scratch.query("select source_url from raw.inferencemax_files")) == sorted(
        str(p) for p in src.glob("*-1k_8k-*.json"))


def test_legacy_wrapped_files_land_under_canonical_names_at_their_recorded_time(scratch, tmp_path):
    result = run(scratch, write_legacy(tmp_path / "legacy"))
    assert result.file_count == 4 and result.record_count == 24
    assert result.fetched_at == datetime(2025, 10, 24, 9, 48, 33, 500000, tzinfo=timezone.utc)
    assert sorted(result.file_counts) == sorted(f"{m}-1k_8k-{t}.json" for m in MODELS for t in ("e2e", "interactivity"))
    assert scratch.query("select distinct sequence_slug from raw.inferencemax_points") == [("1k_8k",)]
    # Archived bytes are the wrapped originals, not a re-serialisation.
    archived = result.archive_path / "files" / "tiny-moe-8b-1k_8k-e2e.json"
    assert archived.read_bytes() == (tmp_path / "legacy" / "tiny-moe-8b_1k_8k_e2e.json").read_bytes()


def test_legacy_metadata_contradicting_the_file_name_is_an_error(scratch, tmp_path):
    src = write_legacy(tmp_path / "legacy")
    bad = src / "mini-dense-3b_1k_8k_e2e.json"
    doc = json.loads(bad.read_text())
    doc["metadata"]["data_type"] = "interactivity"
    bad.write_text(json.dumps(doc))
    with pytest.raises(IngestError, match=r"mini-dense-3b_1k_8k_e2e\.json: metadata data_type 'interactivity' contradicts"):
        run(scratch, src)
    assert scratch.counts()["points"] == 0


def test_unrecognised_json_name_is_an_error_not_skipped(scratch, tmp_path):
    src = write_served(tmp_path / "capture")
    (src / "gpt-oss-120b-1k_8k-throughput.json").write_text("[]")
    with pytest.raises(IngestError, match=r"gpt-oss-120b-1k_8k-throughput\.json: file name not recognised"):
        run(scratch, src)
    assert scratch.counts()["points"] == 0 and scratch.archived_ids() == set()


def test_served_and_legacy_copy_of_one_file_collide(scratch, tmp_path):
    src = write_served(tmp_path / "capture")
    shutil.copy(src / "tiny-moe-8b-1k_8k-e2e.json", src / "tiny-moe-8b_1k_8k_e2e.json")
    with pytest.raises(IngestError, match=r"maps to tiny-moe-8b-1k_8k-e2e\.json, the same file as"):
        run(scratch, src)


def test_empty_or_missing_directory_is_an_error(scratch, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestError, match="no .json files"):
        run(scratch, tmp_path / "empty")
    with pytest.raises(IngestError, match="not a directory"):
        run(scratch, tmp_path / "missing")


def test_gzipped_files_in_a_directory_are_read(scratch, tmp_path):
    src = write_served(tmp_path / "capture")
    plain = run(scratch, src).snapshot_id
    for p in list(src.glob("*.json")):
        p.with_name(p.name + ".gz").write_bytes(gzip.compress(p.read_bytes()))
        p.unlink()
    assert run(scratch, src).snapshot_id == plain  # same content, same snapshot


def test_archive_snapshot_replays_with_its_original_source_and_time(scratch, tmp_path):
    t0 = datetime(2025, 11, 1, 12, 0, tzinfo=timezone.utc)
    first = run(scratch, write_served(tmp_path / "capture"), fetched_at=t0)
    counts = scratch.counts()

    # Same warehouse: replaying the same fetch event changes nothing, not even the fetch log.
    again = run(scratch, first.archive_path)
    assert (again.snapshot_id, again.was_new, again.fetched_at, again.source) == (
        first.snapshot_id, False, t0, first.source)
    assert scratch.counts() == counts
    assert len(scratch.fetch_log()) == 1

    # Fresh warehouse: rebuilt from the archive alone, with the original lineage.
    fresh = type(scratch)(tmp_path / "fresh")
    rebuilt = ingest_inferencemax(Config(), from_dir=first.archive_path, warehouse=fresh.warehouse,
                                  archive_root=fresh.archive, progress=False)
    assert rebuilt.was_new and rebuilt.snapshot_id == first.snapshot_id
    assert fresh.counts() == counts
    assert fresh.query("select source, fetched_at from raw.inferencemax_snapshots") == [
        (first.source, t0.replace(tzinfo=None))]


def test_damaged_archive_snapshot_is_refused(scratch, tmp_path):
    first = run(scratch, write_served(tmp_path / "capture"))
    copy = tmp_path / "copy"
    shutil.copytree(first.archive_path, copy)
    victim = copy / "files" / "tiny-moe-8b-1k_8k-e2e.json"
    os.chmod(victim, 0o644)
    victim.write_text(json.dumps(points("tiny-moe-8b", "e2e", 5)))
    with pytest.raises(IngestError, match=r"tiny-moe-8b-1k_8k-e2e\.json: sha256 does not match the archive manifest"):
        run(scratch, copy)


def test_real_dashboard_capture_lands_18_files_1339_points_per_type(scratch, real_dashboard):
    result = run(scratch, real_dashboard, Config())
    assert result.file_count == 18
    assert scratch.query("select data_type, count(*) from raw.inferencemax_points group by 1 order by 1") == [
        ("e2e", 1339), ("interactivity", 1339)]
    # Every point survives verbatim: re-parsing the landed JSON gives back the served objects.
    name = "gpt-oss-120b-1k_1k-e2e.json"
    served = json.loads((real_dashboard / name).read_text())
    landed = [json.loads(r[0]) for r in scratch.query(
        "select record::varchar from raw.inferencemax_points where source_file = ? order by record_index", [name])]
    assert landed == served
    # The capture predates the fix for the collection bug that hid gpt-oss b200_trt points.
    hw = scratch.query("select hw_keys from raw.inferencemax_files where source_file = ?", [name])[0][0]
    assert "b200_trt" not in hw and {"b200", "h100", "mi355x"} <= set(hw)


def test_real_legacy_archive_lands_12_files_at_their_recorded_time(scratch, real_legacy):
    with pytest.raises(IngestError, match=r"missing 6 of 18 configured files: llama-3_3-70b-instruct-fp8-1k_1k-interactivity"):
        run(scratch, real_legacy, Config())
    result = run(scratch, real_legacy, LEGACY_CONFIG)
    assert result.file_count == 12
    # The old pipeline recorded the served URL and record count of each file: both must agree with ours.
    metas = [json.loads(p.read_text())["metadata"] for p in real_legacy.glob("*.json")]
    assert result.file_counts == {m["source_url"].rsplit("/", 1)[1]: m["record_count"] for m in metas}
    assert result.fetched_at == datetime(2025, 10, 24, 9, 48, 33, 728612, tzinfo=timezone.utc)
    assert {m for (m,) in scratch.query("select distinct model_slug from raw.inferencemax_files")} == {
        "gpt-oss-120b", "deepseek-r1-0528"}
