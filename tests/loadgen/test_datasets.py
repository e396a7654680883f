"""Datasets: custom JSONL (bad lines name file and line), random ISL, trace replay."""

from __future__ import annotations

import json

import pytest

from loadgen.dataset_factory import build_dataset
from loadgen.datasets import CustomDataset, RandomDataset, ReplayDataset
from loadgen.shards import ConfigError
from loadgen.tokens import estimate_tokens


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_custom_dataset_reads_message_arrays(tmp_path):
    p = write(tmp_path / "d.jsonl", [
        json.dumps([{"role": "user", "content": "hello world"}]),
        "",
        json.dumps({"messages": [{"role": "system", "content": "be brief"},
                                 {"role": "user", "content": "hi"}], "max_tokens": 7}),
    ])
    ds = CustomDataset(p)
    assert len(ds) == 2
    assert ds.get(0).messages[0]["content"] == "hello world"
    assert ds.get(0).target_input_tokens == estimate_tokens("hello world")
    assert ds.get(1).target_output_tokens == 7
    assert ds.get(2) is ds.get(0)  # cycles
    assert CustomDataset(p, osl=3).get(1).target_output_tokens == 3  # --osl wins


@pytest.mark.parametrize("bad, why", [
    ('{"not": "json"', "invalid JSON"),
    ('{"role": "user"}', "JSON array of chat messages"),
    ('[{"content": "no role"}]', "message 0"),
    ("[]", "non-empty"),
])
def test_custom_dataset_bad_line_names_file_and_line(tmp_path, bad, why):
    p = write(tmp_path / "bad.jsonl", [json.dumps([{"role": "user", "content": "ok"}]), "", bad])
    with pytest.raises(ConfigError) as e:
        CustomDataset(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}:3: ") and why in msg and "\n" not in msg


def test_custom_dataset_missing_or_empty_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        CustomDataset(tmp_path / "nope.jsonl")
    with pytest.raises(ConfigError, match="empty"):
        CustomDataset(write(tmp_path / "e.jsonl", [""]))


def test_random_dataset_hits_isl_exactly_and_is_deterministic():
    ds = RandomDataset(isl=1024, osl=128, seed=3)
    p = ds.get(5)
    assert estimate_tokens(p.messages[0]["content"]) == 1024 == p.target_input_tokens
    assert p.target_output_tokens == 128
    assert RandomDataset(isl=1024, osl=128, seed=3).get(5).messages == p.messages
    assert ds.get(6).messages != p.messages
    assert RandomDataset(isl=1024, osl=128, seed=4).get(5).messages != p.messages


def test_random_dataset_range_ratio():
    ds = RandomDataset(isl=100, osl=50, range_ratio=0.5, seed=1)
    lens = {ds.get(i).target_input_tokens for i in range(200)}
    assert min(lens) >= 50 and max(lens) <= 150 and len(lens) > 20


def test_replay_rebases_sorts_and_scales(tmp_path):
    p = write(tmp_path / "r.jsonl", [
        json.dumps({"timestamp": 101.0, "prompt": "abcd" * 5, "max_tokens": 9}),
        json.dumps({"timestamp": 100.0, "input_length": 30, "output_length": 4}),
        json.dumps({"timestamp_ms": 102500, "messages": [{"role": "user", "content": "x"}]}),
    ])
    ds = ReplayDataset(p, speed=2.0)
    assert ds.timestamps() == [0.0, 0.5, 1.25]
    first = ds.get(0)
    assert first.target_input_tokens == 30 and first.target_output_tokens == 4
    assert estimate_tokens(first.messages[0]["content"]) == 30
    assert ds.get(1).target_output_tokens == 9


def test_replay_accepts_a_loadgen_trace(tmp_path):
    p = write(tmp_path / "trace.jsonl", [
        json.dumps({"type": "run", "run_id": "r"}),
        json.dumps({"type": "request", "warmup": True, "scheduled_offset_ns": 0,
                    "input_tokens": 5, "target_output_tokens": 3}),
        json.dumps({"type": "request", "warmup": False, "scheduled_offset_ns": 2_000_000_000,
                    "input_tokens": 12, "target_output_tokens": 6}),
        json.dumps({"type": "request", "warmup": False, "scheduled_offset_ns": 3_500_000_000,
                    "input_tokens": 20, "output_tokens": 8, "target_output_tokens": None}),
        json.dumps({"type": "end"}),
    ])
    ds = ReplayDataset(p)
    assert ds.timestamps() == [0.0, 1.5]
    assert [ds.get(i).target_input_tokens for i in range(2)] == [12, 20]
    assert [ds.get(i).target_output_tokens for i in range(2)] == [6, 8]


def test_replay_missing_timestamp_names_line(tmp_path):
    p = write(tmp_path / "r.jsonl", [json.dumps({"timestamp": 1, "prompt": "a"}),
                                     json.dumps({"prompt": "b"})])
    with pytest.raises(ConfigError, match=r"r\.jsonl:2: missing `timestamp`"):
        ReplayDataset(p)


def test_build_dataset_argument_errors(tmp_path):
    with pytest.raises(ConfigError, match="needs --dataset-path"):
        build_dataset("custom", path=None, isl=None, osl=None)
    with pytest.raises(ConfigError, match="takes no --dataset-path"):
        build_dataset("random", path=tmp_path / "x", isl=None, osl=None)
    with pytest.raises(ConfigError, match="unknown dataset"):
        build_dataset("nope", path=None, isl=None, osl=None)
