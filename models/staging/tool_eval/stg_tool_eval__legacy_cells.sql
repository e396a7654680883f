-- One row per leaf of an imported master_database.json: an aggregate over `tests` tests of one
-- model x prompt_type x tool_success_rate x difficulty x task_type, as one snapshot of the file had it.
with source as (
    select * from {{ source('tool_eval', 'eval_events') }}
    where record_kind = 'legacy_cell'
      -- quarantined records (ingest found problems) are in the family's quarantine model, never here
      and quarantine_reasons is null
)

select
    record_sha256,
    batch_id,
    source_file,
    source_locator,
    loaded_at,
    {{ semibench.json_text('record_context', '$.database_sha256') }} as snapshot_sha256,
    {{ semibench.json_text('record_context', '$.database_version') }} as database_version,
    try_cast({{ semibench.json_text('record_context', '$.database_last_updated') }} as timestamp) as snapshot_updated_at,
    {{ semibench.json_text('record_context', '$.model') }} as model_raw,
    {{ semibench.json_text('record_context', '$.prompt_type') }} as prompt_type,
    {{ semibench.eval_round_double('cast(' ~ semibench.json_text('record_context', '$.tool_success_rate') ~ ' as double)', 4) }} as tool_success_rate,
    {{ semibench.json_text('record_context', '$.difficulty') }} as difficulty,
    {{ semibench.json_text('record_context', '$.task_type') }} as task_type,
    cast({{ semibench.json_text('record', '$.total') }} as integer) as tests,
    -- counters were renamed between writer versions (success/successful, partial/partial_success)
    cast(coalesce({{ semibench.json_text('record', '$.full_success') }}, {{ semibench.json_text('record', '$.success') }}, {{ semibench.json_text('record', '$.successful') }}, '0') as integer) as full_successes,
    cast(coalesce({{ semibench.json_text('record', '$.partial') }}, {{ semibench.json_text('record', '$.partial_success') }}, '0') as integer) as partial_successes,
    try_cast({{ semibench.json_text('record', '$.avg_execution_time') }} as double) as avg_execution_time_s,
    try_cast({{ semibench.json_text('record', '$.avg_turns') }} as double) as avg_turns,
    try_cast({{ semibench.json_text('record', '$.avg_tool_calls') }} as double) as avg_tool_calls,
    cast(coalesce({{ semibench.json_text('record', '$.tool_call_format_errors') }}, '0') as integer) as tool_call_format_errors,
    cast(coalesce({{ semibench.json_text('record', '$.timeout_errors') }}, '0') as integer) as timeout_errors,
    cast(coalesce({{ semibench.json_text('record', '$.dependency_errors') }}, '0') as integer) as dependency_errors,
    cast(coalesce({{ semibench.json_text('record', '$.parameter_config_errors') }}, '0') as integer) as parameter_config_errors,
    cast(coalesce({{ semibench.json_text('record', '$.tool_selection_errors') }}, '0') as integer) as tool_selection_errors,
    cast(coalesce({{ semibench.json_text('record', '$.sequence_order_errors') }}, '0') as integer) as sequence_order_errors,
    cast(coalesce({{ semibench.json_text('record', '$.max_turns_errors') }}, '0') as integer) as max_turns_errors,
    cast(coalesce({{ semibench.json_text('record', '$.other_errors') }}, '0') as integer) as other_errors,
    cast({{ semibench.json_text('record', '$.total_errors') }} as integer) as total_errors_field
from source
