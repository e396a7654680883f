"""A loadgen run with hand-picked numbers, written by loadgen's own TraceWriter (so it is a trace exactly
as loadgen writes one), for checks that need known figures: gpt-oss 120B at 1k/1k on 8 GPUs, 40
successful requests of 1024 + 1024 tokens, TTFT 100 ms and TPOT 5 ms each, measured phase 6 s.
  interactivity = 1000 / 5 = 200 tok/s/user
  total tput per GPU = 40 * 2048 / 6 / 8 = 1706.67 tok/s/GPU
"""

from __future__ import annotations

from pathlib import Path

from loadgen.records import REQUEST_FIELD_NAMES, SCHEMA_VERSION
from loadgen.trace import TraceWriter

RUN_ID = "synthetic-placement-run"
N, ISL, OSL, GPUS, TTFT_MS, TPOT_MS, DURATION_S = 40, 1024, 1024, 8, 100.0, 5.0, 6.0
INTERACTIVITY = 1000 / TPOT_MS
TPUT_PER_GPU = N * (ISL + OSL) / DURATION_S / GPUS
START_UNIX_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z


def header(run_id: str = RUN_ID, **overrides) -> dict:
    h = {"type": "run", "schema_version": SCHEMA_VERSION, "run_id": run_id, "tool": "semibench-loadgen",
         "tool_version": "test", "host": "test", "pid": 1, "start_time": "2026-01-01T00:00:00+00:00",
         "start_unix_ns": START_UNIX_NS, "start_mono_ns": 0, "model": "openai/gpt-oss-120b",
         "deployments": ["openai/gpt-oss-120b"], "backend": "openai-chat", "dataset": "random",
         "dataset_path": None, "isl": ISL, "osl": OSL, "num_gpus": GPUS, "request_rate": None,
         "burstiness": 1.0, "arrival": "all-at-once", "max_concurrency": N, "num_prompts": N,
         "duration_s": None, "warmup_requests": 0, "workers": 1, "sweep_id": None, "sweep_step": None,
         "label": "synthetic", "simulated": False, "shards": [], "config": {"metadata": {}}}
    h.update(overrides)
    return h


def request(run_id: str, seq: int, **overrides) -> dict:
    """A successful request line with every REQUEST_FIELDS field: two chunks (first token, last token)."""
    e2el = TTFT_MS + TPOT_MS * (OSL - 1)
    chunk_ns = [int(TTFT_MS * 1e6), int(e2el * 1e6)]
    r = {"type": "request", "run_id": run_id, "request_id": f"{run_id}-{seq:06d}", "seq": seq, "warmup": False,
         "worker": 0, "shard": "default", "endpoint": "http://127.0.0.1:1", "deployment": "openai/gpt-oss-120b",
         "model": "openai/gpt-oss-120b", "backend": "openai-chat", "scheduled_offset_ns": seq * 1000,
         "send_offset_ns": seq * 1000, "send_unix_ns": START_UNIX_NS + seq * 1000, "queue_ns": 0,
         "chunk_ns": chunk_ns, "num_chunks": 2, "ttft_ms": TTFT_MS, "e2el_ms": e2el, "tpot_ms": TPOT_MS,
         "itl_ms": [round((chunk_ns[1] - chunk_ns[0]) / 1e6, 3)], "input_tokens": ISL, "output_tokens": OSL,
         "input_tokens_estimated": False, "output_tokens_estimated": False, "target_input_tokens": ISL,
         "target_output_tokens": OSL, "success": True, "http_status": 200, "error_class": None,
         "error_message": None, "retries": 0, "connection_retries": 0, "finish_reason": "length", "inflight_at_send": seq + 1,
         "shard_inflight_at_send": seq + 1, "concurrency_limit": None, "qps_limit": None, "generated_text": None,
         "session_id": None, "turn": None, "prefix_id": None, "cached_tokens": None}
    r.update(overrides)
    assert list(r) == REQUEST_FIELD_NAMES  # the writer's field order, every field present
    return r


def write_placement_run(run_dir: Path) -> Path:
    trace = Path(run_dir) / "trace.jsonl"
    w = TraceWriter(trace, header())
    for seq in range(N):
        w.write(request(RUN_ID, seq))
    w.close("completed", DURATION_S, {"main_start_offset_ns": 0})
    return trace


POISONED_RUN_ID = "synthetic-poisoned-run"
# (line number in trace.jsonl, what is wrong, reason text expected): one poison per request line
POISONS = [
    (3, {"ttft_ms": None}, "field 'ttft_ms' is null on a successful request"),
    (4, {"e2el_ms": "slow"}, "field 'e2el_ms' is the string 'slow'"),
    (5, {"send_offset_ns": -1}, "field 'send_offset_ns' is negative"),
    (6, {"chunk_ns": [5_000_000, 1_000_000]}, "chunk_ns times are out of order"),
    (7, {"e2el_ms": 50.0}, "e2el_ms (50.0) is below ttft_ms (100.0)"),
    (8, {"output_tokens": -3}, "field 'output_tokens' is negative"),
    (9, {"success": "maybe"}, "field 'success' is a string 'maybe'"),
    (10, {"run_id": "someone-else"}, "field 'run_id' is a string 'someone-else', but the header says"),
    (11, {"type": "reqest"}, "field 'type' is a string 'reqest', expected 'request' or 'end'"),
    (12, {"request_id": f"{POISONED_RUN_ID}-000000"}, "repeats line 2"),
]


def write_poisoned_run(run_dir: Path) -> Path:
    """A run whose every poison is quarantined and whose other lines land: the POISONS, a line that is not
    JSON, an end line with an unknown status and a half-written last line; a summary.json that says more
    requests completed than the trace holds. Numeric strings in line 13 are accepted with a note."""
    import json

    run_dir = Path(run_dir)
    lines = [json.dumps(header(POISONED_RUN_ID))]
    for seq in range(N):
        lines.append(json.dumps(request(POISONED_RUN_ID, seq)))
    for no, change, _ in POISONS:
        lines[no - 1] = json.dumps({**json.loads(lines[no - 1]), **change})
    lines[12] = lines[12].replace('"input_tokens": 1024', '"input_tokens": "1024"')
    lines[13] = lines[13][:40] + "}"  # not JSON, mid-file
    lines.append(json.dumps({"type": "end", "run_id": POISONED_RUN_ID, "status": "exploded",
                             "end_time": "2026-01-01T00:00:06+00:00", "end_unix_ns": START_UNIX_NS + 6 * 10**9,
                             "duration_s": DURATION_S, "requests_written": N, "main_start_offset_ns": 0}))
    trace = run_dir / "trace.jsonl"
    run_dir.mkdir(parents=True, exist_ok=True)
    trace.write_text("\n".join(lines) + "\n" + lines[20][:33], encoding="utf-8")
    (run_dir / "summary.json").write_text(json.dumps({"run_id": POISONED_RUN_ID, "completed": 10 * N, "failed": -1}))
    return trace
