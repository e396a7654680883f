"""Deterministic generator of the *synthetic* benchmark event-log samples bundled under ``sample_data/``.

Two families, shaped like the files ``semibench ingest eval-events`` and ``semibench ingest vllm-results``
accept (docs/eval_events.md, docs/vllm_results.md). None of the figures are measurements: they come from
small models below, drawn with seeded ``random.Random`` instances.

``eval_events/`` (tool-use evaluation runner logs)
  * ``shard-0.jsonl`` / ``shard-1.jsonl``: the append-only logs of two API-key shards. Each starts with
    records of an older runner version (``successful``, ``tool_reliability``, ``error_type``, a tool-call
    *count*, no ``test_id``: identified by task_id + timestamp) and continues with the current one
    (``test_id``, ``success`` + ``partial_success`` + ``success_level``, ``tool_success_rate``,
    ``error_category`` / ``ai_error_category``, the list of tool calls, four scores). Model names are the
    runner's *instance* names: deployments ``DeepSeek-V3-0324``, ``-2``, ``-3``, virtual keys
    ``qwen-key0..2`` (qwen2.5-72b-instruct), plus ``Llama-3.3-70B-Instruct`` and ``DeepSeek-R1-0528``.
    Duplicates on purpose (:data:`RETRIED_TESTS`, :data:`SHARED_OLD_RECORDS`): some current-format tests
    are written by both shards under different deployment names and write times (same test_id, same
    result), and some older records appear byte-identically in both logs.
    Success probability = model base + prompt-type, difficulty, tool-success-rate and task-type effects
    (flawed prompts and hard tasks lower), clipped to [0.03, 0.95]; a share of the misses is partial.
  * ``pilot_bench_cumulative_results/master_database.json``: a legacy nested snapshot of the old
    file-locked writer for two models the logs do not cover (qwen2.5-32b-instruct, grok-3); its per-category
    error counters add up to ``total_errors = total - success``.

``vllm_results/`` (benchmark-run results)
  * two saved ``vllm bench serve --save-result --save-detailed`` results for ``openai/gpt-oss-120b`` at
    nominal ISL/OSL 1024/1024 (random dataset, lengths uniform in [0.8, 1.0] x nominal, ``--ignore-eos``),
    Poisson arrivals at 4 and 8 req/s, ``--metadata hw=h200 tp=2 precision=fp4 isl=1024 osl=1024``,
    ``--percentile-metrics ttft,tpot,itl,e2el --metric-percentiles 90,99``; the 4 req/s run also used
    ``--goodput ttft:400 tpot:10``. The server streamed with a stream interval of
    :data:`STREAM_INTERVAL` tokens, so each ITL is the gap between chunks of up to that many tokens: this
    keeps the per-request ``itls`` arrays short. ``generated_texts`` are truncated to a few words. One
    request of the 8 req/s run failed (HTTP 503). Every aggregate is computed from the saved arrays the
    way vLLM's ``calculate_metrics`` does (numpy mean / median / population std / linear percentiles,
    TPOT = (latency - ttft) / (output_len - 1) where latency = ttft + sum(itl), totals and throughputs
    over the successful requests; goodput = successful requests meeting every SLO / duration);
  * ``agg_bmk.json``: twelve InferenceMAX run aggregates (gpt-oss-120b, h200 / b200, tp 2 / 4,
    concurrency 8 / 32 / 128, 1k/1k): each converted from a hidden vLLM-style result with
    ``utils/process_result.py``'s rules (seconds, ``*_intvty = 1000 / *_tpot_ms``, throughputs per GPU).

Regenerate (byte-identical for the same seed; ``tests/test_sample_events.py`` checks it)::

    python -m sample_data.generators.sample_events --out sample_data
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Sequence

DEFAULT_SEED = 20250820

EVAL_DIR = "eval_events"
VLLM_DIR = "vllm_results"
SHARD_FILES = ("shard-0.jsonl", "shard-1.jsonl")
LEGACY_FILE = "pilot_bench_cumulative_results/master_database.json"
AGG_FILE = "agg_bmk.json"

# --------------------------------------------------------------------------------------------------
# Tool-use evaluation logs
# --------------------------------------------------------------------------------------------------

PROMPT_TYPES: tuple[str, ...] = ("baseline", "cot", "optimal", "flawed_sequence_disorder", "flawed_tool_misuse",
                                 "flawed_parameter_error")
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
TASK_TYPES: tuple[str, ...] = ("simple_task", "data_pipeline", "api_integration", "multi_stage_pipeline")
TOOL_SUCCESS_RATES: tuple[float, ...] = (0.8, 0.9)

#: canonical model -> (tests in the logs, base success probability, execution-time factor)
EVAL_MODELS: dict[str, tuple[int, float, float]] = {
    "DeepSeek-V3-0324": (112, 0.60, 1.0),
    "qwen2.5-72b-instruct": (56, 0.52, 0.8),
    "Llama-3.3-70B-Instruct": (38, 0.42, 0.7),
    "DeepSeek-R1-0528": (38, 0.64, 2.2),
}
#: which runner instances each shard drove, per canonical model (shard 0 = API key 0, shard 1 = key 1)
SHARD_INSTANCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DeepSeek-V3-0324": (("DeepSeek-V3-0324", "DeepSeek-V3-0324-2"), ("DeepSeek-V3-0324-3",)),
    "qwen2.5-72b-instruct": (("qwen-key0", "qwen-key1"), ("qwen-key2",)),
    "Llama-3.3-70B-Instruct": (("Llama-3.3-70B-Instruct",), ()),
    "DeepSeek-R1-0528": ((), ("DeepSeek-R1-0528",)),
}
PROMPT_EFFECT = {"baseline": 0.0, "cot": 0.06, "optimal": 0.14, "flawed_sequence_disorder": -0.26,
                 "flawed_tool_misuse": -0.32, "flawed_parameter_error": -0.22}
DIFFICULTY_EFFECT = {"easy": 0.15, "medium": 0.0, "hard": -0.22}
DIFFICULTY_WEIGHTS = (0.4, 0.35, 0.25)
RATE_EFFECT = {0.8: 0.0, 0.9: 0.06}
TASK_EFFECT = {"simple_task": 0.06, "data_pipeline": 0.0, "api_integration": -0.04, "multi_stage_pipeline": -0.08}
BASE_SECONDS = {"easy": 16.0, "medium": 30.0, "hard": 52.0}
MAX_TURNS = 10
TIMEOUT_S = 300

#: share of each shard's log written by the older runner version (the head of the file)
OLD_FORMAT_SHARE = 0.15
#: current-format tests written by both shards (retried on the other shard's deployment)
RETRIED_TESTS = 6
#: older records appended byte-identically to both logs
SHARED_OLD_RECORDS = 2

TOOLS: tuple[str, ...] = (
    "file_operations_reader", "file_operations_writer", "data_processing_parser", "data_processing_transformer",
    "data_processing_filter", "data_processing_aggregator", "network_fetcher", "network_poster",
    "api_authenticator", "cache_manager", "data_validator", "logger",
)

#: error category -> (label spellings the runners wrote, message templates)
ERRORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sequence_order": (("sequence_order", "sequence_order_errors"),
                       ("Tool '{a}' was called before '{b}' produced its input",)),
    "tool_selection": (("tool_selection", "tool_selection_errors"),
                       ("Selected '{a}' where '{b}' was required",)),
    "tool_call_format": (("tool_call_format", "format_error"),
                         ("Invalid tool call format: arguments of '{a}' are not valid JSON",)),
    "parameter_config": (("parameter_config", "parameter_error"),
                         ("Parameter 'output_path' missing in call to '{a}'",)),
    "dependency": (("dependency", "dependency_error"),
                   ("Dependency '{b}' not satisfied before '{a}'",)),
    "timeout": (("timeout", "timeout_error"), (f"Test timed out after {TIMEOUT_S}s",)),
    "max_turns": (("max_turns", "max_turns_errors"), (f"Reached max turns ({MAX_TURNS}) without completing the workflow",)),
    "other": (("other",), ("Unexpected response from the model",)),
}
#: error category weights by prompt type (what the flaw provokes), and for the others
ERROR_MIX = {
    "flawed_sequence_disorder": {"sequence_order": 6, "dependency": 2, "max_turns": 1, "timeout": 1},
    "flawed_tool_misuse": {"tool_selection": 5, "tool_call_format": 3, "max_turns": 1, "other": 1},
    "flawed_parameter_error": {"parameter_config": 6, "tool_call_format": 2, "timeout": 1, "other": 1},
    "default": {"timeout": 3, "max_turns": 3, "tool_call_format": 2, "dependency": 1, "other": 1},
}
LEGACY_CATEGORIES = ("tool_call_format", "timeout", "dependency", "parameter_config", "tool_selection",
                     "sequence_order", "max_turns", "other")

#: models of the legacy master_database.json (not in the logs): (base success probability, cells)
LEGACY_MODELS: dict[str, tuple[float, int]] = {"qwen2.5-32b-instruct": (0.46, 14), "grok-3": (0.58, 12)}
LEGACY_LAST_UPDATED = "2025-08-12T18:40:11.532118"


def _clip(p: float, lo: float = 0.03, hi: float = 0.95) -> float:
    return min(hi, max(lo, p))


def success_probability(base: float, prompt: str, difficulty: str, rate: float, task: str) -> float:
    """Probability of a full success (the same model for the logs and the legacy file)."""
    return _clip(base + PROMPT_EFFECT[prompt] + DIFFICULTY_EFFECT[difficulty] + RATE_EFFECT[rate] + TASK_EFFECT[task])


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _test(rng: random.Random, model: str, base: float, time_factor: float, index: int) -> dict[str, Any]:
    """One test of `model` (canonical): dimensions, outcome and measurements, before formatting."""
    prompt = rng.choice(PROMPT_TYPES)
    difficulty = rng.choices(DIFFICULTIES, weights=DIFFICULTY_WEIGHTS)[0]
    rate = rng.choices(TOOL_SUCCESS_RATES, weights=(0.6, 0.4))[0]
    task = rng.choice(TASK_TYPES)
    p_full = success_probability(base, prompt, difficulty, rate, task)
    u = rng.random()
    outcome = "full" if u < p_full else ("partial" if u < p_full + 0.3 * (1 - p_full) else "failure")
    category = None if outcome == "full" else _weighted(rng, ERROR_MIX.get(prompt, ERROR_MIX["default"]))
    turns = min(MAX_TURNS, 2 + DIFFICULTIES.index(difficulty) + rng.randint(0, 3) + (outcome != "full"))
    if category == "max_turns":
        turns = MAX_TURNS
    seconds = BASE_SECONDS[difficulty] * time_factor * rng.lognormvariate(0, 0.35) * (1 + 0.08 * turns)
    if category == "timeout":
        seconds = TIMEOUT_S + rng.uniform(0.2, 4.0)
    n_calls = max(1, turns - 1 + rng.randint(-1, 2))
    calls = [rng.choice(TOOLS) for _ in range(n_calls)]
    lo, hi = {"full": (0.75, 0.98), "partial": (0.45, 0.75), "failure": (0.05, 0.45)}[outcome]
    final = rng.uniform(lo, hi)
    scores = {"workflow_score": _clip(final + rng.uniform(-0.08, 0.08), 0, 1),
              "phase2_score": _clip(final + rng.uniform(-0.1, 0.1), 0, 1),
              "quality_score": _clip(final + rng.uniform(-0.1, 0.05), 0, 1), "final_score": final}
    message = None
    if category is not None:
        a, b = rng.sample(TOOLS, 2)
        message = rng.choice(ERRORS[category][1]).format(a=a, b=b)
    return {"model": model, "prompt_type": prompt, "tool_success_rate": rate, "difficulty": difficulty,
            "task_type": task, "outcome": outcome, "category": category, "message": message,
            "execution_time": round(seconds, 2), "turns": turns, "tool_calls": calls,
            "scores": {k: round(v, 3) for k, v in scores.items()},
            "task_id": f"{task}_{difficulty}_{index:04d}"}


def _new_record(rng: random.Random, t: dict, instance: str, test_id: str, timestamp: str) -> dict[str, Any]:
    """The current runner's record."""
    level = {"full": "full_success", "partial": "partial_success", "failure": "failure"}[t["outcome"]]
    record: dict[str, Any] = {
        "test_id": test_id, "task_id": t["task_id"], "model": instance, "prompt_type": t["prompt_type"],
        "tool_success_rate": t["tool_success_rate"], "difficulty": t["difficulty"], "task_type": t["task_type"],
        "success": t["outcome"] == "full", "partial_success": t["outcome"] == "partial", "success_level": level,
        "execution_time": t["execution_time"], "turns": t["turns"], "tool_calls": t["tool_calls"], **t["scores"],
    }
    if t["category"] is not None:
        labels = ERRORS[t["category"]][0]
        u = rng.random()
        if u < 0.6:
            record["error_category"] = labels[0]
        elif u < 0.8:
            record["ai_error_category"] = labels[-1]
        # else: only the message; dbt categorises it by keywords (or as `other`)
        record["error_message"] = t["message"]
    record["timestamp"] = timestamp
    return record


def _old_record(rng: random.Random, t: dict, instance: str, timestamp: str) -> dict[str, Any]:
    """The older runner's record: `successful`, `tool_reliability`, `error_type`, a tool-call count."""
    record: dict[str, Any] = {
        "model": instance, "task_type": t["task_type"], "prompt_type": t["prompt_type"],
        "difficulty": t["difficulty"], "tool_reliability": t["tool_success_rate"], "task_id": t["task_id"],
        "successful": t["outcome"] != "failure", "partial_success": t["outcome"] == "partial",
        "execution_time": t["execution_time"], "turns": t["turns"], "tool_calls": len(t["tool_calls"]),
        "final_score": t["scores"]["final_score"],
    }
    if t["category"] is not None:
        labels = ERRORS[t["category"]][0]
        if rng.random() < 0.75:
            record["error_type"] = labels[-1]
        record["error_message"] = t["message"]
    record["timestamp"] = timestamp
    return record


def _dumps_line(record: dict) -> str:
    return json.dumps(record) + "\n"  # what the runner appended: json.dumps(record) + newline


def eval_logs(seed: int) -> dict[str, str]:
    """The two shard logs: file name -> text."""
    rng = random.Random(f"{seed}:eval-events")
    # draw every model's tests, then deal them to the shards that ran that model
    per_shard: list[list[tuple[dict, str]]] = [[], []]
    index = 0
    for model, (count, base, time_factor) in EVAL_MODELS.items():
        instances = SHARD_INSTANCES[model]
        for _ in range(count):
            index += 1
            t = _test(rng, model, base, time_factor, index)
            shards = [s for s in (0, 1) if instances[s]]
            shard = shards[0] if len(shards) == 1 else (0 if rng.random() < 0.55 else 1)
            per_shard[shard].append((t, rng.choice(instances[shard])))
    for shard in per_shard:
        rng.shuffle(shard)

    starts = (datetime(2025, 8, 18, 9, 2, 11, 204817), datetime(2025, 8, 18, 9, 4, 37, 918254))
    lines: list[list[tuple[datetime, str]]] = [[], []]
    old_records: list[list[str]] = [[], []]
    retry_candidates: list[tuple[dict, dict, datetime]] = []
    for s, shard in enumerate(per_shard):
        clock = starts[s]
        n_old = round(OLD_FORMAT_SHARE * len(shard))
        for i, (t, instance) in enumerate(shard):
            clock += timedelta(seconds=t["execution_time"] + rng.uniform(2, 240), microseconds=rng.randrange(10**6))
            if i == n_old:  # the runner was upgraded overnight
                clock = max(clock, datetime(2025, 8, 19, 8, 30)) + timedelta(seconds=rng.uniform(0, 600))
            stamp = clock.isoformat()
            if i < n_old:
                line = _dumps_line(_old_record(rng, t, instance, stamp))
                old_records[s].append(line)
            else:
                test_id = f"{rng.getrandbits(48):012x}"
                record = _new_record(rng, t, instance, test_id, stamp)
                line = _dumps_line(record)
                if s == 0 and SHARD_INSTANCES[t["model"]][1]:
                    retry_candidates.append((t, record, clock))
            lines[s].append((clock, line))

    # the same test written by both shards: shard 1 re-ran it on its own deployment and logged the same
    # result under its instance name and its own write time
    for t, record, clock in rng.sample(retry_candidates, RETRIED_TESTS):
        when = clock + timedelta(seconds=rng.uniform(3, 90), microseconds=rng.randrange(10**6))
        copy = {**record, "model": rng.choice(SHARD_INSTANCES[t["model"]][1]), "timestamp": when.isoformat()}
        lines[1].append((when, _dumps_line(copy)))
    # older records that ended up in both logs byte for byte (a shard re-appended what it read back)
    for line in rng.sample(old_records[0], SHARED_OLD_RECORDS):
        when = datetime.fromisoformat(json.loads(line)["timestamp"])
        lines[1].append((when, line))

    return {name: "".join(line for _, line in sorted(shard_lines, key=lambda x: x[0]))
            for name, shard_lines in zip(SHARD_FILES, lines)}


def legacy_master_database(seed: int) -> str:
    """A cumulative snapshot of the old nested master_database.json (indent 2, as the old writer saved it)."""
    rng = random.Random(f"{seed}:master-database")
    models: dict[str, Any] = {}
    grand = {"total": 0, "success": 0, "partial": 0}
    for model, (base, n_cells) in LEGACY_MODELS.items():
        grid = [(p, r, d, t) for p in PROMPT_TYPES for r in ("0.8", "0.9") for d in DIFFICULTIES for t in TASK_TYPES]
        chosen = sorted(rng.sample(grid, n_cells), key=lambda c: (PROMPT_TYPES.index(c[0]), c[1],
                                                                  DIFFICULTIES.index(c[2]), TASK_TYPES.index(c[3])))
        by_prompt: dict[str, Any] = {}
        totals = {"total": 0, "success": 0, "partial": 0}
        for prompt, rate, difficulty, task in chosen:
            total = rng.randint(3, 12)
            p_full = success_probability(base, prompt, difficulty, float(rate), task)
            success = partial = 0
            errors = dict.fromkeys(LEGACY_CATEGORIES, 0)
            for _ in range(total):
                u = rng.random()
                if u < p_full:
                    success += 1
                    continue
                if u < p_full + 0.3 * (1 - p_full):
                    partial += 1
                errors[_weighted(rng, ERROR_MIX.get(prompt, ERROR_MIX["default"]))] += 1
            failed = total - success - partial
            exec_s = BASE_SECONDS[difficulty] * rng.lognormvariate(0, 0.2) * 1.3
            cell = {
                "total": total, "success": success, "success_rate": round(success / total, 4),
                "partial": partial, "partial_rate": round(partial / total, 4),
                "failed": failed, "failure_rate": round(failed / total, 4),
                "avg_execution_time": round(exec_s, 2),
                "avg_turns": round(3 + DIFFICULTIES.index(difficulty) + rng.uniform(0, 2.5), 2),
                "avg_tool_calls": round(2.5 + DIFFICULTIES.index(difficulty) + rng.uniform(0, 2), 2),
                "avg_final_score": round(0.35 + 0.55 * success / total + rng.uniform(-0.05, 0.05), 3),
                "total_errors": total - success,
                **{f"{c}_errors": errors[c] for c in LEGACY_CATEGORIES},
            }
            (by_prompt.setdefault(prompt, {"total_tests": 0, "by_tool_success_rate": {}})["by_tool_success_rate"]
                .setdefault(rate, {"by_difficulty": {}})["by_difficulty"]
                .setdefault(difficulty, {"by_task_type": {}})["by_task_type"])[task] = cell
            by_prompt[prompt]["total_tests"] += total
            for k in totals:
                totals[k] += cell[k]
        models[model] = {
            "model_name": model,
            "first_test_time": "2025-07-28T14:03:52.118220",
            "last_test_time": LEGACY_LAST_UPDATED,
            "total_tests": totals["total"],
            "overall_stats": {"total_success": totals["success"], "total_partial": totals["partial"],
                              "success_rate": round(totals["success"] / totals["total"], 4)},
            "by_prompt_type": by_prompt,
        }
        for k in grand:
            grand[k] += totals[k]
    db = {"version": "3.0", "created_at": "2025-07-28T14:00:05.902311", "last_updated": LEGACY_LAST_UPDATED,
          "test_groups": {}, "models": models,
          "summary": {"total_tests": grand["total"], "total_success": grand["success"],
                      "total_partial": grand["partial"], "models_tested": list(LEGACY_MODELS)}}
    return json.dumps(db, indent=2)


# --------------------------------------------------------------------------------------------------
# vLLM statistics, as numpy computes them in vLLM's calculate_metrics
# --------------------------------------------------------------------------------------------------


def mean(xs: Sequence[float]) -> float:
    """np.mean (up to the last bits of summation order; fsum is the exactly rounded sum)."""
    return math.fsum(xs) / len(xs) if xs else 0.0


def median(xs: Sequence[float]) -> float:
    """np.median: the middle value, or the mean of the two middle values."""
    if not xs:
        return 0.0
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def std(xs: Sequence[float]) -> float:
    """np.std: the population standard deviation (ddof=0)."""
    if not xs:
        return 0.0
    m = mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))


def percentile(xs: Sequence[float], p: float) -> float:
    """np.percentile(xs, p) with the default 'linear' method, including numpy's lerp formulation."""
    if not xs:
        return 0.0
    s = sorted(xs)
    rank = (len(s) - 1) * (p / 100)
    lo = math.floor(rank)
    hi = min(lo + 1, len(s) - 1)
    g = rank - lo
    a, b = s[lo], s[hi]
    diff = b - a
    return b - diff * (1 - g) if g >= 0.5 else a + diff * g


def latency_stats(name: str, values_s: Sequence[float], percentiles: Sequence[float]) -> dict[str, float]:
    """vLLM's mean/median/std/pNN keys for one metric, in ms (values are seconds, as vLLM holds them)."""
    out = {f"mean_{name}_ms": mean(values_s) * 1000, f"median_{name}_ms": median(values_s) * 1000,
           f"std_{name}_ms": std(values_s) * 1000}
    for p in percentiles:
        word = str(int(p)) if int(p) == p else str(p)
        out[f"p{word}_{name}_ms"] = percentile(values_s, p) * 1000
    return out


def calculate_metrics(input_lens: Sequence[int], output_lens: Sequence[int], ttfts: Sequence[float],
                      itls: Sequence[Sequence[float]], errors: Sequence[str], duration: float,
                      percentiles: Sequence[float], goodput: dict[str, float] | None = None) -> dict[str, Any]:
    """The summary of a run from its per-request arrays, following vLLM's calculate_metrics: a request
    succeeded when its error is empty; latency = ttft + sum(itl) (what the streaming client measures);
    TPOT only for requests with more than one output token (0 towards goodput otherwise)."""
    ok = [i for i, e in enumerate(errors) if not e]
    latencies = {i: ttfts[i] + sum(itls[i]) for i in ok}
    tpots = [(latencies[i] - ttfts[i]) / (output_lens[i] - 1) for i in ok if output_lens[i] > 1]
    all_tpots = [(latencies[i] - ttfts[i]) / (output_lens[i] - 1) if output_lens[i] > 1 else 0.0 for i in ok]
    ttft_ok = [ttfts[i] for i in ok]
    itl_ok = [gap for i in ok for gap in itls[i]]
    e2el_ok = [latencies[i] for i in ok]
    total_input = sum(input_lens[i] for i in ok)
    total_output = sum(output_lens)
    good = None
    if goodput:
        metrics = {"ttft": ttft_ok, "tpot": all_tpots, "e2el": e2el_ok}
        columns = [metrics[k] for k in goodput]
        slos = [v / 1000 for v in goodput.values()]
        good = sum(all(s >= r for s, r in zip(slos, req)) for req in zip(*columns))
    result: dict[str, Any] = {
        "duration": duration, "completed": len(ok), "failed": len(errors) - len(ok),
        "total_input_tokens": total_input, "total_output_tokens": total_output,
        "request_throughput": len(ok) / duration,
        "request_goodput": good / duration if good is not None else None,
        "output_throughput": total_output / duration,
        "total_token_throughput": (total_input + total_output) / duration,
    }
    stats = {}
    for name, values in (("ttft", ttft_ok), ("tpot", tpots), ("itl", itl_ok), ("e2el", e2el_ok)):
        stats.update(latency_stats(name, values, percentiles))
    return {**result, "_stats": stats}


# --------------------------------------------------------------------------------------------------
# vLLM bench serve results
# --------------------------------------------------------------------------------------------------

MODEL_ID = "openai/gpt-oss-120b"
ISL = OSL = 1024
STREAM_INTERVAL = 32
VLLM_PERCENTILES = (90.0, 99.0)
WORDS = ("the", "pipeline", "returns", "a", "summary", "of", "each", "record", "and", "then", "writes", "result",
         "to", "output", "file", "with", "validated", "fields", "for", "next", "stage", "in", "order")



class VllmRun:
    """One saved vLLM result: when it finished, the arrival rate, the requests, which (if any) failed."""

    def __init__(self, date: str, request_rate: float, num_prompts: int, failed_index: int | None,
                 goodput: dict[str, float] | None) -> None:
        self.date, self.request_rate, self.num_prompts = date, request_rate, num_prompts
        self.failed_index, self.goodput = failed_index, goodput

    @property
    def file_name(self) -> str:
        # vLLM's default name: <label>-<rate>qps-<model>-<date>.json
        return f"vllm-{self.request_rate}qps-{MODEL_ID.split('/')[-1]}-{self.date}.json"


VLLM_RUNS: tuple[VllmRun, ...] = (
    VllmRun("20250915-101842", 4.0, 64, None, {"ttft": 400.0, "tpot": 10.0}),
    VllmRun("20250915-103107", 8.0, 96, 57, None),
)
#: --metadata KEY=VALUE pairs (vLLM saves them as strings)
VLLM_METADATA = {"hw": "h200", "tp": "2", "precision": "fp4", "isl": str(ISL), "osl": str(OSL)}
FAILED_REQUEST_ERROR = "Service Unavailable"  # aiohttp's response.reason for the HTTP 503


def _lengths(rng: random.Random, nominal: int) -> int:
    return rng.randint(int(0.8 * nominal), nominal)


def _chunk_sizes(tokens_after_first: int) -> list[int]:
    full, rest = divmod(tokens_after_first, STREAM_INTERVAL)
    return [STREAM_INTERVAL] * full + ([rest] if rest else [])


def vllm_result(run: VllmRun, seed: int) -> str:
    """One saved `vllm bench serve` result for gpt-oss-120b on 2 x h200 (synthetic), as vLLM writes it."""
    rng = random.Random(f"{seed}:vllm:{run.date}")
    n = run.num_prompts
    arrivals = [0.0]
    for _ in range(n - 1):  # Poisson arrivals (burstiness 1): exponential gaps
        arrivals.append(arrivals[-1] + rng.expovariate(run.request_rate))
    input_lens = [_lengths(rng, ISL) for _ in range(n)]
    wanted = [_lengths(rng, OSL) for _ in range(n)]
    # how many requests share the server during each request's life, from a first estimate of its length
    estimate = [0.25 + w * 0.009 for w in wanted]
    load = []
    for i in range(n):
        a, b = arrivals[i], arrivals[i] + estimate[i]
        overlap = sum(max(0.0, min(b, arrivals[j] + estimate[j]) - max(a, arrivals[j])) for j in range(n) if j != i)
        load.append(1 + overlap / estimate[i])

    output_lens, ttfts, itls, texts, errors = [], [], [], [], []
    for i in range(n):
        if i == run.failed_index:
            # vLLM keeps the prompt length, 0 output tokens, 0.0 placeholders and the error text
            output_lens.append(0)
            ttfts.append(0.0)
            itls.append([])
            texts.append("")
            errors.append(FAILED_REQUEST_ERROR)
            continue
        tpot = 0.0052 * (1 + load[i] / 40) ** 0.7 * rng.lognormvariate(0, 0.05)
        ttft = (0.05 + 0.07 * input_lens[i] / ISL) * (1 + load[i] / 25) ** 0.8 * rng.lognormvariate(0, 0.3)
        gaps = []
        for size in _chunk_sizes(wanted[i] - 1):
            gap = size * tpot * rng.lognormvariate(0, 0.05)
            if rng.random() < 0.05:  # a chunk held up by another request's prefill
                gap += rng.uniform(0.02, 0.08)
            gaps.append(round(gap, 6))
        output_lens.append(wanted[i])
        ttfts.append(round(ttft, 6))
        itls.append(gaps)
        errors.append("")
        texts.append(" " + " ".join(rng.choices(WORDS, k=rng.randint(5, 9))))
    finish = max(arrivals[i] + ttfts[i] + sum(itls[i]) for i in range(n) if not errors[i])
    duration = round(finish + rng.uniform(0.01, 0.05), 6)

    metrics = calculate_metrics(input_lens, output_lens, ttfts, itls, errors, duration, VLLM_PERCENTILES, run.goodput)
    stats = metrics.pop("_stats")
    result: dict[str, Any] = {
        "date": run.date, "endpoint_type": "vllm", "backend": "vllm", "label": None, "model_id": MODEL_ID,
        "tokenizer_id": MODEL_ID, "num_prompts": n, **VLLM_METADATA, "request_rate": run.request_rate,
        "burstiness": 1.0, "max_concurrency": None, **metrics,
        "input_lens": input_lens, "output_lens": output_lens, "ttfts": ttfts, "itls": itls,
        "generated_texts": texts, "errors": errors, **stats,
    }
    return json.dumps(result)  # json.dump(result_json, outfile): one line, no trailing newline


# --------------------------------------------------------------------------------------------------
# InferenceMAX run aggregates (agg_bmk.json)
# --------------------------------------------------------------------------------------------------

AGG_HW_SPEED = {"h200": 1.0, "b200": 1.75}
AGG_TPS = (2, 4)
AGG_CONCS = (8, 32, 128)
AGG_IMAGE = "vllm/vllm-openai:v0.10.2"


def agg_run(rng: random.Random, hw: str, tp: int, conc: int) -> dict[str, Any]:
    """One aggregate: a hidden vLLM-style run summarised, then converted as process_result.py does."""
    speed = AGG_HW_SPEED[hw]
    n = min(10 * conc, 160)
    tpot_base = 0.0072 / speed / tp ** 0.35 * (1 + conc / (20 * tp)) ** 0.6
    ttft_base = 0.11 / speed / tp ** 0.5 * (1 + conc / (12 * tp)) ** 0.85
    ttfts, tpots, itls, e2els, isls, osls = [], [], [], [], [], []
    for _ in range(n):
        isl, osl = _lengths(rng, ISL), _lengths(rng, OSL)
        tpot = tpot_base * rng.lognormvariate(0, 0.06)
        ttft = ttft_base * rng.lognormvariate(0, 0.45)
        for _ in range(24):  # a sample of the token gaps (one token per chunk at InferenceMAX)
            gap = tpot * rng.lognormvariate(0, 0.12)
            itls.append(gap + (ttft_base * rng.uniform(0.2, 0.6) if rng.random() < 0.03 else 0.0))
        ttfts.append(ttft)
        tpots.append(tpot)
        e2els.append(ttft + tpot * (osl - 1))
        isls.append(isl)
        osls.append(osl)
    duration = math.fsum(e2els) / conc * 1.03  # closed loop at `conc` users, plus ramp-up and drain
    output_throughput = sum(osls) / duration
    total_token_throughput = (sum(isls) + sum(osls)) / duration
    stats: dict[str, float] = {}
    for name, values in (("ttft", ttfts), ("tpot", tpots), ("itl", itls), ("e2el", e2els)):
        stats.update(latency_stats(name, values, (99.0,)))

    record: dict[str, Any] = {
        "hw": hw, "conc": conc, "image": AGG_IMAGE, "model": MODEL_ID, "infmax_model_prefix": "gptoss",
        "framework": "vllm", "precision": "fp4", "spec_decoding": "none", "disagg": False, "isl": ISL, "osl": OSL,
        "is_multinode": False, "tp": tp, "ep": 1, "dp_attention": "false",
        "tput_per_gpu": total_token_throughput / tp,
        "output_tput_per_gpu": output_throughput / tp,
        "input_tput_per_gpu": (total_token_throughput - output_throughput) / tp,
    }
    for key, value in stats.items():  # process_result.py: ms -> s, and 1000 / tpot_ms as interactivity
        record[key.replace("_ms", "")] = value / 1000.0
        if "tpot" in key:
            record[key.replace("_ms", "").replace("tpot", "intvty")] = 1000.0 / value
    return record


def agg_bmk(seed: int) -> str:
    rng = random.Random(f"{seed}:agg-bmk")
    runs = [agg_run(rng, hw, tp, conc) for hw in AGG_HW_SPEED for tp in AGG_TPS for conc in AGG_CONCS]
    return json.dumps(runs, indent=2)


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def render_event_samples(seed: int = DEFAULT_SEED) -> dict[str, str]:
    """Every sample file: path relative to the output directory -> text."""
    files = {f"{EVAL_DIR}/{name}": text for name, text in eval_logs(seed).items()}
    files[f"{EVAL_DIR}/{LEGACY_FILE}"] = legacy_master_database(seed)
    for run in VLLM_RUNS:
        files[f"{VLLM_DIR}/{run.file_name}"] = vllm_result(run, seed)
    files[f"{VLLM_DIR}/{AGG_FILE}"] = agg_bmk(seed)
    return files


def generate_event_samples(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the samples under `out_dir` (`eval_events/`, `vllm_results/`); return the paths written.
    Files already present with the same bytes are left untouched; nothing else in `out_dir` is touched."""
    written = []
    for rel, text in sorted(render_event_samples(seed).items()):
        path = Path(out_dir) / rel
        data = text.encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not (path.exists() and path.read_bytes() == data):
            path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    from semibench_core import paths as _paths

    ap = argparse.ArgumentParser(prog="python -m sample_data.generators.sample_events",
                                 description="Regenerate the synthetic eval-event and vLLM-result samples.")
    ap.add_argument("--out", type=Path, default=_paths.PROJECT_DIR / "sample_data",
                    help="output directory (the files go to <out>/eval_events and <out>/vllm_results)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    written = generate_event_samples(args.out, args.seed)
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files under {args.out}: {size:,} bytes")
    for p in written:
        print(f"  {p.relative_to(args.out)}  {p.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
