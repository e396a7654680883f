"""The bundled synthetic event-log samples (sample_data/eval_events, sample_data/vllm_results).

They regenerate byte-identically, stay small, land through the real ingesters with no rejection, hold
the intended duplicate events, and every vLLM aggregate agrees with the per-request arrays, checked here
independently with numpy (vLLM's own calculate_metrics uses np.mean / np.median / np.std /
np.percentile).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ingest.eval_events import ingest_eval_events
from ingest.vllm_results import ingest_vllm_results
from ingest.vllm_validate import VLLM_STAT_KEY
from sample_data.generators import sample_events
from sample_data.generators.sample_events import generate_event_samples

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT_DIR / "sample_data"
EVAL = SAMPLE / "eval_events"
VLLM = SAMPLE / "vllm_results"
SHARDS = [EVAL / "shard-0.jsonl", EVAL / "shard-1.jsonl"]
LEGACY = EVAL / "pilot_bench_cumulative_results" / "master_database.json"
AGG = VLLM / "agg_bmk.json"
VLLM_FILES = sorted(VLLM.glob("vllm-*qps-gpt-oss-120b-*.json"))

EXPECTED_INSTANCES = {"DeepSeek-V3-0324", "DeepSeek-V3-0324-2", "DeepSeek-V3-0324-3", "qwen-key0", "qwen-key1",
                      "qwen-key2", "Llama-3.3-70B-Instruct", "DeepSeek-R1-0528"}
PROMPT_TYPES = {"baseline", "cot", "optimal", "flawed_sequence_disorder", "flawed_tool_misuse", "flawed_parameter_error"}
LATENCY_METRICS = ("ttft", "tpot", "itl", "e2el")


def sample_files() -> dict[str, bytes]:
    return {p.relative_to(SAMPLE).as_posix(): p.read_bytes()
            for d in (EVAL, VLLM) for p in sorted(d.rglob("*")) if p.is_file()}


def canonical_names() -> dict[str, str]:
    with open(PROJECT_DIR / "seeds" / "model_name_aliases.csv", newline="") as f:
        return {row["alias"].lower(): row["model_name"] for row in csv.DictReader(f)}


def shard_lines() -> list[list[str]]:
    return [p.read_text(encoding="utf-8").splitlines() for p in SHARDS]


def outcome(r: dict) -> str:
    if "success_level" in r:
        return r["success_level"]
    ok = r["successful"]
    return "partial_success" if ok and r.get("partial_success") else ("full_success" if ok else "failure")


def distinct_events() -> list[dict]:
    """The logs' events, one per identity (docs/eval_events.md): (canonical model, test_id), else the
    dimensions with task_id and timestamp."""
    names = canonical_names()
    seen, events = set(), []
    for lines in shard_lines():
        for line in lines:
            r = json.loads(line)
            model = names[r["model"].lower()]
            if "test_id" in r:
                key = (model, r["test_id"])
            else:
                key = (model, r["prompt_type"], r.get("tool_success_rate", r.get("tool_reliability")),
                       r["difficulty"], r["task_type"], r["task_id"], r["timestamp"])
            if key not in seen:
                seen.add(key)
                events.append({**r, "model": model})
    return events


# --- regeneration and size --------------------------------------------------------------------------


def test_regenerates_byte_identically(tmp_path):
    written = generate_event_samples(tmp_path)
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in written}
    committed = sample_files()
    assert sorted(fresh) == sorted(committed), "committed sample files differ from the generated set (stale files?)"
    for rel, data in fresh.items():
        assert data == committed[rel], f"{rel} differs from its regeneration: run python -m sample_data.generators.sample_events --out sample_data"


def test_module_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sample_data.generators.sample_events", "--out", str(tmp_path)],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert fresh == sample_files()


def test_samples_are_small():
    sizes = {rel: len(data) for rel, data in sample_files().items()}
    assert sum(sizes.values()) < 300_000, sizes


# --- landing through the real ingesters --------------------------------------------------------------


def test_lands_with_no_rejections(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    lines = sum(len(s) for s in shard_lines())
    eval_summary = ingest_eval_events([EVAL], warehouse)
    assert eval_summary.rejections == []
    assert eval_summary.files == 3
    assert eval_summary.records_read == lines + 26  # every log line + the legacy cells
    # the byte-identical records shared by both logs land once
    assert eval_summary.records_already_landed == sample_events.SHARED_OLD_RECORDS
    assert eval_summary.by_kind == {"test": lines - sample_events.SHARED_OLD_RECORDS, "legacy_cell": 26}

    vllm_summary = ingest_vllm_results([VLLM], warehouse)
    assert vllm_summary.rejections == []
    assert vllm_summary.by_kind == {"vllm_bench": 2, "inferencemax_agg": 12}

    # idempotent: landing the same files again adds nothing
    assert ingest_eval_events([EVAL], warehouse).records_landed == 0
    assert ingest_vllm_results([VLLM], warehouse).records_landed == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from raw.eval_events").fetchall()[0][0] == eval_summary.records_landed
        assert con.execute("select count(*) from raw.vllm_results").fetchall()[0][0] == 14
    finally:
        con.close()


# --- eval event logs ----------------------------------------------------------------------------------


def test_shards_hold_the_intended_duplicates():
    names = canonical_names()
    s0, s1 = ([json.loads(line) for line in lines] for lines in shard_lines())
    by_id = [{r["test_id"]: r for r in shard if "test_id" in r} for shard in (s0, s1)]
    retried = sorted(set(by_id[0]) & set(by_id[1]))
    assert len(retried) == sample_events.RETRIED_TESTS
    for test_id in retried:
        a, b = by_id[0][test_id], by_id[1][test_id]
        assert a["model"] != b["model"] and names[a["model"].lower()] == names[b["model"].lower()]
        assert a["timestamp"] != b["timestamp"]
        same = ("prompt_type", "tool_success_rate", "difficulty", "task_type", "success", "success_level")
        assert {k: a[k] for k in same} == {k: b[k] for k in same}
    # test ids are otherwise unique, within a shard too
    for shard in (s0, s1):
        ids = [r["test_id"] for r in shard if "test_id" in r]
        assert len(ids) == len(set(ids))
    # older records (no test_id) written byte for byte by both shards
    lines0, lines1 = shard_lines()
    shared = set(lines0) & set(lines1)
    assert len(shared) == sample_events.SHARED_OLD_RECORDS
    assert all("test_id" not in json.loads(line) and "successful" in json.loads(line) for line in shared)
    assert len(distinct_events()) == len(lines0) + len(lines1) - sample_events.RETRIED_TESTS - sample_events.SHARED_OLD_RECORDS == 244


def test_eval_logs_cover_the_runner_vocabulary():
    records = [json.loads(line) for lines in shard_lines() for line in lines]
    assert {r["model"] for r in records} == EXPECTED_INSTANCES
    assert {r["prompt_type"] for r in records} == PROMPT_TYPES
    assert {r.get("tool_success_rate", r.get("tool_reliability")) for r in records} == {0.8, 0.9}
    assert {r["difficulty"] for r in records} == {"easy", "medium", "hard"}
    assert len({r["task_type"] for r in records}) >= 3
    new = [r for r in records if "success" in r]
    old = [r for r in records if "successful" in r]
    assert len(new) + len(old) == len(records) and 0 < len(old) < len(new)
    assert not any("success" in r and "successful" in r for r in records)
    assert Counter(outcome(r) for r in records).keys() == {"full_success", "partial_success", "failure"}
    for r in records:
        failed = outcome(r) != "full_success"
        assert ("error_message" in r) == failed
        assert r["execution_time"] >= 0 and r["turns"] >= 1
    # each shard is in write order
    for lines in shard_lines():
        stamps = [json.loads(line)["timestamp"] for line in lines]
        assert stamps == sorted(stamps)


def test_success_rates_fall_with_flawed_prompts_and_difficulty():
    rates = defaultdict(lambda: [0, 0])
    for r in distinct_events():
        family = "flawed" if r["prompt_type"].startswith("flawed_") else "other"
        for key in ((r["model"], family, r["difficulty"]), ("all", r["difficulty"]), ("all", r["prompt_type"])):
            rates[key][0] += 1
            rates[key][1] += outcome(r) == "full_success"
    rate = {k: ok / n for k, (n, ok) in rates.items()}
    ds = "DeepSeek-V3-0324"
    for d in ("easy", "medium", "hard"):
        assert rate[(ds, "flawed", d)] < rate[(ds, "other", d)]
    assert rate[(ds, "flawed", "easy")] > rate[(ds, "flawed", "medium")] > rate[(ds, "flawed", "hard")]
    assert rate[("all", "easy")] > rate[("all", "medium")] > rate[("all", "hard")]
    flawed = [p for p in PROMPT_TYPES if p.startswith("flawed_")]
    assert max(rate[("all", p)] for p in flawed) < min(rate[("all", p)] for p in PROMPT_TYPES - set(flawed))


def test_legacy_master_database():
    db = json.loads(LEGACY.read_text())
    names = canonical_names()
    log_models = {names[r["model"].lower()] for lines in shard_lines() for r in map(json.loads, lines)}
    assert set(db["models"]) == {"qwen2.5-32b-instruct", "grok-3"}
    assert not set(db["models"]) & log_models
    cells = []
    for model, m in db["models"].items():
        for p, pn in m["by_prompt_type"].items():
            for rate, rn in pn["by_tool_success_rate"].items():
                for d, dn in rn["by_difficulty"].items():
                    for t, cell in dn["by_task_type"].items():
                        cells.append(cell)
                        assert cell["success"] + cell["partial"] + cell["failed"] == cell["total"]
                        assert cell["total_errors"] == cell["total"] - cell["success"]
                        assert cell["total_errors"] == sum(v for k, v in cell.items()
                                                           if k.endswith("_errors") and k != "total_errors")
        assert m["total_tests"] == sum(
            c["total"] for pn in m["by_prompt_type"].values() for rn in pn["by_tool_success_rate"].values()
            for dn in rn["by_difficulty"].values() for c in dn["by_task_type"].values())
    assert len(cells) == 26
    assert db["summary"]["total_tests"] == sum(c["total"] for c in cells) == 199


# --- vLLM results -------------------------------------------------------------------------------------


def np_stats(name: str, values: list[float], percentiles: tuple[int, ...]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    out = {f"mean_{name}_ms": np.mean(arr) * 1000, f"median_{name}_ms": np.median(arr) * 1000,
           f"std_{name}_ms": np.std(arr) * 1000}
    out.update({f"p{p}_{name}_ms": np.percentile(arr, p) * 1000 for p in percentiles})
    return out


@pytest.mark.parametrize("path", VLLM_FILES, ids=lambda p: p.name)
def test_vllm_aggregates_match_per_request_arrays(path):
    r = json.loads(path.read_text())
    n = r["num_prompts"]
    assert 50 <= n <= 100
    arrays = ("input_lens", "output_lens", "ttfts", "itls", "generated_texts", "errors")
    assert all(len(r[a]) == n for a in arrays)
    assert r["model_id"] == "openai/gpt-oss-120b"
    assert {k: r[k] for k in ("hw", "tp", "precision", "isl", "osl")} == \
        {"hw": "h200", "tp": "2", "precision": "fp4", "isl": "1024", "osl": "1024"}
    ok = [i for i, e in enumerate(r["errors"]) if not e]
    for i in set(range(n)) - set(ok):  # a failed request: vLLM's placeholders
        assert r["ttfts"][i] == 0.0 and r["itls"][i] == [] and r["output_lens"][i] == 0 and r["generated_texts"][i] == ""
    assert r["completed"] == len(ok) and r["failed"] == n - len(ok)
    assert all(len(r["generated_texts"][i]) < 100 for i in range(n))
    assert all(819 <= r["input_lens"][i] <= 1024 for i in range(n))
    assert all(819 <= r["output_lens"][i] <= 1024 for i in ok)

    ttft = [r["ttfts"][i] for i in ok]
    latency = [r["ttfts"][i] + sum(r["itls"][i]) for i in ok]
    tpot = [(latency[k] - ttft[k]) / (r["output_lens"][i] - 1) for k, i in enumerate(ok) if r["output_lens"][i] > 1]
    itl = [g for i in ok for g in r["itls"][i]]
    expected = {}
    for name, values in (("ttft", ttft), ("tpot", tpot), ("itl", itl), ("e2el", latency)):
        expected.update(np_stats(name, values, (90, 99)))
    total_in = sum(r["input_lens"][i] for i in ok)
    total_out = sum(r["output_lens"])
    duration = r["duration"]
    expected.update(total_input_tokens=total_in, total_output_tokens=total_out,
                    request_throughput=len(ok) / duration, output_throughput=total_out / duration,
                    total_token_throughput=(total_in + total_out) / duration)
    stat_keys = {k for k in r if VLLM_STAT_KEY.match(k)}
    assert stat_keys == {f"{s}_{m}_ms" for s in ("mean", "median", "std", "p90", "p99") for m in LATENCY_METRICS}
    for key, value in expected.items():
        assert r[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    # the run could not have finished before its last request did (arrivals start at 0)
    assert duration > max(latency)
    if r["request_goodput"] is not None:  # --goodput ttft:400 tpot:10 on the 4 req/s run
        all_tpot = [(latency[k] - ttft[k]) / (r["output_lens"][i] - 1) if r["output_lens"][i] > 1 else 0.0
                    for k, i in enumerate(ok)]
        good = sum(t <= 0.400 and p <= 0.010 for t, p in zip(ttft, all_tpot))
        assert 0 < good < len(ok)
        assert r["request_goodput"] == pytest.approx(good / duration, rel=1e-12)


def test_exactly_one_failed_request():
    failed = [(p.name, r["failed"]) for p in VLLM_FILES for r in [json.loads(p.read_text())]]
    assert sorted(f for _, f in failed) == [0, 1]
    rates = sorted(json.loads(p.read_text())["request_rate"] for p in VLLM_FILES)
    assert rates == [4.0, 8.0]


def test_inferencemax_aggregates_are_consistent():
    runs = json.loads(AGG.read_text())
    assert len(runs) == 12
    assert {(r["hw"], r["tp"], r["conc"]) for r in runs} == {
        (hw, tp, c) for hw in ("h200", "b200") for tp in (2, 4) for c in (8, 32, 128)}
    for r in runs:
        assert r["model"] == "openai/gpt-oss-120b" and (r["isl"], r["osl"]) == (1024, 1024)
        assert r["tput_per_gpu"] == pytest.approx(r["output_tput_per_gpu"] + r["input_tput_per_gpu"], rel=1e-12)
        for stat in ("mean", "median", "std", "p99"):
            # process_result.py: seconds, and interactivity = 1000 / tpot_ms
            assert r[f"{stat}_intvty"] == pytest.approx(1 / r[f"{stat}_tpot"], rel=1e-9)
        for m in LATENCY_METRICS:
            assert 0 < r[f"median_{m}"] <= r[f"p99_{m}"] and r[f"std_{m}"] > 0
            assert r[f"median_{m}"] < 60  # seconds, not milliseconds
        # e2e latency ~ ttft + tpot x output tokens
        assert r["median_e2el"] == pytest.approx(r["median_ttft"] + r["median_tpot"] * 0.9 * 1024, rel=0.15)
    # more users per GPU: more throughput, less interactivity
    for hw in ("h200", "b200"):
        for tp in (2, 4):
            curve = sorted((r for r in runs if (r["hw"], r["tp"]) == (hw, tp)), key=lambda r: r["conc"])
            assert [r["tput_per_gpu"] for r in curve] == sorted(r["tput_per_gpu"] for r in curve)
            assert [r["median_intvty"] for r in curve] == sorted((r["median_intvty"] for r in curve), reverse=True)
