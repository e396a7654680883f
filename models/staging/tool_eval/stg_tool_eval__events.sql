-- One row per landed per-test record, fields typed and reconciled across runner versions.
-- Normalisation (model names, error categories) and dedupe happen in intermediate models.
with source as (
    select * from {{ source('tool_eval', 'eval_events') }}
    where record_kind = 'test'
      -- quarantined records (ingest found problems) are in the family's quarantine model, never here
      and quarantine_reasons is null
),

extracted as (
    select
        record_sha256,
        batch_id,
        source_file,
        source_format,
        source_locator,
        loaded_at,
        {{ semibench.json_text('record', '$.model') }} as model_raw,
        {{ semibench.json_text('record', '$.deployment') }} as deployment,
        {{ semibench.json_text('record', '$.prompt_type') }} as prompt_type,
        {{ semibench.json_text('record', '$.difficulty') }} as difficulty_raw,
        {{ semibench.json_text('record', '$.task_type') }} as task_type,
        -- newer runners write tool_success_rate, older ones tool_reliability (same meaning)
        try_cast({{ semibench.json_text('record', '$.tool_success_rate') }} as double) as tool_success_rate_field,
        try_cast({{ semibench.json_text('record', '$.tool_reliability') }} as double) as tool_reliability_field,
        -- the outcome: `success` (newer), `successful` (older), optional partial flag and explicit level
        try_cast({{ semibench.json_text('record', '$.success') }} as boolean) as success_field,
        try_cast({{ semibench.json_text('record', '$.successful') }} as boolean) as successful_field,
        coalesce(try_cast({{ semibench.json_text('record', '$.partial_success') }} as boolean), false) as partial_success_field,
        {{ semibench.json_text('record', '$.success_level') }} as success_level_field,
        try_cast({{ semibench.json_text('record', '$.execution_time') }} as double) as execution_time_s,
        try_cast({{ semibench.json_text('record', '$.turns') }} as double) as turns,
        -- tool_calls is the list of calls in some runner versions and their count in others
        coalesce(
            cast({{ semibench.json_array_length_of('record', 'tool_calls') }} as double),
            try_cast({{ semibench.json_text('record', '$.tool_calls') }} as double)
        ) as tool_calls,
        try_cast({{ semibench.json_text('record', '$.workflow_score') }} as double) as workflow_score,
        try_cast({{ semibench.json_text('record', '$.phase2_score') }} as double) as phase2_score,
        try_cast({{ semibench.json_text('record', '$.quality_score') }} as double) as quality_score,
        try_cast({{ semibench.json_text('record', '$.final_score') }} as double) as final_score,
        -- three spellings of the error label across runner versions, most specific first
        nullif(trim(coalesce({{ semibench.json_text('record', '$.error_category') }}, {{ semibench.json_text('record', '$.ai_error_category') }}, {{ semibench.json_text('record', '$.error_type') }})), '') as error_label,
        {{ semibench.json_text('record', '$.error_message') }} as error_message,
        {{ semibench.json_text('record', '$.test_id') }} as test_id,
        {{ semibench.json_text('record', '$.task_id') }} as task_id,
        {{ semibench.json_text('record', '$.timestamp') }} as timestamp_raw
    from source
)

select
    record_sha256,
    batch_id,
    source_file,
    source_format,
    source_locator,
    loaded_at,
    model_raw,
    deployment,
    prompt_type,
    -- the old runner defaulted missing dimensions to easy / 0.8 when it filed results; do the same, flagged
    coalesce(difficulty_raw, 'easy') as difficulty,
    {{ semibench.eval_round_double('coalesce(tool_success_rate_field, tool_reliability_field, 0.8)', 4) }} as tool_success_rate,
    difficulty_raw is null or coalesce(tool_success_rate_field, tool_reliability_field) is null as dimensions_defaulted,
    task_type,
    coalesce(success_field, successful_field) as succeeded,
    success_field is not null and successful_field is not null and success_field <> successful_field as success_fields_conflict,
    -- an explicit level wins; success + partial flag means partial (the old runner's rule)
    case
        when success_level_field is not null then success_level_field
        when coalesce(success_field, successful_field) and partial_success_field then 'partial_success'
        when coalesce(success_field, successful_field) then 'full_success'
        when partial_success_field then 'partial_success'
        else 'failure'
    end as outcome,
    execution_time_s,
    turns,
    tool_calls,
    workflow_score,
    phase2_score,
    quality_score,
    final_score,
    error_label,
    error_message,
    test_id,
    task_id,
    timestamp_raw,
    -- zone-qualified timestamps go to UTC; naive ones (the runner's local time) are kept as written
    {{ semibench.eval_text_to_utc_timestamp('timestamp_raw') }} as event_at
from extracted
