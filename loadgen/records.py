"""The trace schema: the one place that names every field of a request line and its type.

Types are DuckDB type names, because the warehouse reads trace.jsonl with
`read_json(columns=...)`; the same list drives the Parquet schema, the test that reads
a real trace through DuckDB, and the test that TRACE_FORMAT.md documents every field.
A field never changes type between lines (nulls are allowed where noted).
"""

from __future__ import annotations

SCHEMA_VERSION = 1

# (name, DuckDB type) in the order fields are written.
REQUEST_FIELDS: list[tuple[str, str]] = [
    ("type", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("request_id", "VARCHAR"),
    ("seq", "BIGINT"),
    ("warmup", "BOOLEAN"),
    ("worker", "BIGINT"),
    ("shard", "VARCHAR"),
    ("endpoint", "VARCHAR"),
    ("deployment", "VARCHAR"),
    ("model", "VARCHAR"),
    ("backend", "VARCHAR"),
    ("scheduled_offset_ns", "BIGINT"),
    ("send_offset_ns", "BIGINT"),
    ("send_unix_ns", "BIGINT"),
    ("queue_ns", "BIGINT"),
    ("chunk_ns", "BIGINT[]"),
    ("num_chunks", "BIGINT"),
    ("ttft_ms", "DOUBLE"),
    ("e2el_ms", "DOUBLE"),
    ("tpot_ms", "DOUBLE"),
    ("itl_ms", "DOUBLE[]"),
    ("input_tokens", "BIGINT"),
    ("output_tokens", "BIGINT"),
    ("input_tokens_estimated", "BOOLEAN"),
    ("output_tokens_estimated", "BOOLEAN"),
    ("target_input_tokens", "BIGINT"),
    ("target_output_tokens", "BIGINT"),
    ("success", "BOOLEAN"),
    ("http_status", "BIGINT"),
    ("error_class", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("retries", "BIGINT"),
    ("connection_retries", "BIGINT"),
    ("finish_reason", "VARCHAR"),
    ("inflight_at_send", "BIGINT"),
    ("shard_inflight_at_send", "BIGINT"),
    ("concurrency_limit", "BIGINT"),
    ("qps_limit", "DOUBLE"),
    ("generated_text", "VARCHAR"),
    # Added later (null in older traces and where they do not apply):
    ("session_id", "VARCHAR"),        # multi-turn: the conversation this turn belongs to
    ("turn", "BIGINT"),               # multi-turn: 0-based turn index within the session
    ("prefix_id", "BIGINT"),          # shared-prefix / Mooncake: which shared prefix the prompt used
    ("cached_tokens", "BIGINT"),      # usage.prompt_tokens_details.cached_tokens, when the server says
]

REQUEST_FIELD_NAMES = [name for name, _ in REQUEST_FIELDS]

# The header line ({"type": "run"}) and the end line ({"type": "end"}): top-level fields.
RUN_FIELDS: list[tuple[str, str]] = [
    ("type", "VARCHAR"),
    ("schema_version", "BIGINT"),
    ("run_id", "VARCHAR"),
    ("tool", "VARCHAR"),
    ("tool_version", "VARCHAR"),
    ("host", "VARCHAR"),
    ("pid", "BIGINT"),
    ("start_time", "VARCHAR"),
    ("start_unix_ns", "BIGINT"),
    ("start_mono_ns", "BIGINT"),
    ("model", "VARCHAR"),
    ("deployments", "VARCHAR[]"),
    ("backend", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("dataset_path", "VARCHAR"),
    ("isl", "BIGINT"),
    ("osl", "BIGINT"),
    ("num_gpus", "BIGINT"),
    ("request_rate", "DOUBLE"),
    ("burstiness", "DOUBLE"),
    ("arrival", "VARCHAR"),
    ("max_concurrency", "BIGINT"),
    ("num_prompts", "BIGINT"),
    ("duration_s", "DOUBLE"),
    ("warmup_requests", "BIGINT"),
    ("workers", "BIGINT"),
    ("sweep_id", "VARCHAR"),
    ("sweep_step", "BIGINT"),
    ("label", "VARCHAR"),
    ("simulated", "BOOLEAN"),
    ("shards", "JSON"),
    ("config", "JSON"),
]

END_FIELDS: list[tuple[str, str]] = [
    ("type", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("status", "VARCHAR"),
    ("end_time", "VARCHAR"),
    ("end_unix_ns", "BIGINT"),
    ("duration_s", "DOUBLE"),
    ("requests_written", "BIGINT"),
    ("main_start_offset_ns", "BIGINT"),
]


def itls_ms(chunk_ns: list[int]) -> list[float]:
    """Gaps between successive token chunks, ms rounded to the microsecond."""
    return [round((b - a) / 1e6, 3) for a, b in zip(chunk_ns, chunk_ns[1:])]
