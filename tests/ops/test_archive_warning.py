"""A damaged archive makes `run` warn in its first step, before anything is landed (issue 10, item 3)."""

from __future__ import annotations

import os

from ingest.config import load_config
from ingest.inferencemax import ingest_inferencemax
from semibench_core import paths
from semibench.pipeline import PipelineState, step_check


def _state(tmp_path) -> PipelineState:
    return PipelineState(warehouse=tmp_path / "wh" / "semibench.duckdb", published=tmp_path / "pub" / "semibench.duckdb",
                         archive_root=tmp_path / "archive", progress=False)


def test_intact_archive_gives_no_warning(tmp_path, capsys):
    state = _state(tmp_path)
    ingest_inferencemax(load_config(None), from_dir=paths.sample_dir(), warehouse=state.warehouse,
                        archive_root=state.archive_root, progress=False)
    step_check(state)
    assert state.summary.archive_problems == []
    assert "archive damaged" not in capsys.readouterr().err


def test_a_changed_archived_file_is_named_before_anything_lands(tmp_path, capsys):
    state = _state(tmp_path)
    result = ingest_inferencemax(load_config(None), from_dir=paths.sample_dir(), warehouse=state.warehouse,
                                 archive_root=state.archive_root, progress=False)
    damaged = sorted((result.archive_path / "files").iterdir())[0]
    os.chmod(damaged, 0o644)
    damaged.write_bytes(damaged.read_bytes().replace(b"1", b"2", 1))

    step_check(state)

    assert len(state.summary.archive_problems) == 1
    assert damaged.name in state.summary.archive_problems[0]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: archive damaged: ") and damaged.name in err[0]
