-- Distinct test events: normalised, categorised, and deduplicated by event identity.
--
-- Event identity (docs/eval_events.md): the same test written by two shards, by a retry, or into two
-- files is one event.
--   * with a test_id:    (canonical model, test_id)
--   * without a test_id: (canonical model, prompt_type, tool_success_rate, difficulty, task_type, task_id,
--                         timestamp as written)
-- Among the copies, the first landed (then file, then locator) is kept; copies and disagreement are counted.
with events as (
    select
        e.*,
        n.model_name,
        n.normalisation_rule
    from {{ ref('stg_tool_eval__events') }} as e
    inner join {{ ref('int_tool_eval__model_names') }} as n using (model_raw)
),

keyed as (
    select
        *,
        case
            when test_id is not null then concat_ws('|', 'id', lower(model_name), test_id)
            else concat_ws('|', 'ts', lower(model_name), prompt_type, {{ semibench.eval_rate_text('tool_success_rate') }},
                           difficulty, task_type, coalesce(task_id, ''), timestamp_raw)
        end as event_identity
    from events
),

fingerprinted as (
    select
        *,
        concat_ws('|', prompt_type, {{ semibench.eval_rate_text('tool_success_rate') }}, difficulty, task_type, outcome)
            as copy_fingerprint
    from keyed
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_identity order by loaded_at, source_file, source_locator, record_sha256
        ) as copy_rank,
        count(*) over (partition by event_identity) as copies,
        -- copies that disagree on what happened point at an identity collision or a rewritten result
        -- (more than one distinct fingerprint: min <> max, as Spark has no count(distinct) over a window)
        min(copy_fingerprint) over (partition by event_identity)
            <> max(copy_fingerprint) over (partition by event_identity) as copies_disagree
    from fingerprinted
),

categories as (
    select label, error_category from {{ ref('tool_eval_error_categories') }}
)

select
    md5(r.event_identity) as event_key,
    r.event_identity,
    r.model_name,
    r.model_raw,
    r.normalisation_rule,
    r.deployment,
    r.prompt_type,
    r.tool_success_rate,
    r.difficulty,
    r.task_type,
    r.dimensions_defaulted,
    r.outcome,
    r.outcome = 'full_success' as is_full_success,
    r.outcome = 'partial_success' as is_partial_success,
    r.success_fields_conflict,
    r.execution_time_s,
    r.turns,
    r.tool_calls,
    r.workflow_score,
    r.phase2_score,
    r.quality_score,
    r.final_score,
    r.error_label,
    r.error_message,
    -- as in the old counters, every test short of full success counts as an error, categorised by its
    -- label, else by its message (the old writer's keyword rules), else as `other`
    case
        when r.outcome = 'full_success' then null
        when r.error_label is not null then coalesce(c.error_category, 'other')
        when r.error_message ilike '%timeout%' or r.error_message ilike '%timed out%' then 'timeout'
        when r.error_message ilike '%max turns%' or r.error_message ilike '%max_turns%' then 'max_turns'
        when r.error_message ilike '%format%' then 'tool_call_format'
        else 'other'
    end as error_category,
    r.error_label is not null and c.error_category is null as error_label_unmapped,
    r.test_id,
    r.task_id,
    r.timestamp_raw,
    r.event_at,
    r.copies,
    r.copies_disagree,
    r.record_sha256,
    r.batch_id,
    r.source_file,
    r.source_format,
    r.source_locator,
    r.loaded_at
from ranked as r
left join categories as c
    on c.label = lower(r.error_label)
where r.copy_rank = 1
