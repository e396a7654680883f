-- Tool-use evaluation results per model x prompt_type x tool_success_rate x difficulty x task_type: the
-- cells of the old master_database.json, computed from distinct test events. Cells that exist only in an
-- imported master_database.json come from its latest snapshot; where events exist for a cell they
-- supersede the legacy figure (both describe the same runs; adding them would double count).
-- Counts and *_sum/*_n columns are additive, so any coarser rollup is an exact `sum(...)` away.
with event_cells as (
    select
        model_name,
        prompt_type,
        tool_success_rate,
        difficulty,
        task_type,
        count(*) as tests,
        count(*) filter (where is_full_success) as full_successes,
        count(*) filter (where is_partial_success) as partial_successes,
        count(*) filter (where outcome = 'failure') as failures,
        {{ semibench.eval_sum_double('execution_time_s') }} as execution_time_sum_s,
        count(execution_time_s) as execution_time_n,
        {{ semibench.eval_median('execution_time_s') }} as median_execution_time_s,
        {{ semibench.eval_sum_double('turns') }} as turns_sum,
        count(turns) as turns_n,
        {{ semibench.eval_sum_double('tool_calls') }} as tool_calls_sum,
        count(tool_calls) as tool_calls_n,
        count(error_category) as total_errors,
        count(*) filter (where error_category = 'tool_call_format') as tool_call_format_errors,
        count(*) filter (where error_category = 'timeout') as timeout_errors,
        count(*) filter (where error_category = 'dependency') as dependency_errors,
        count(*) filter (where error_category = 'parameter_config') as parameter_config_errors,
        count(*) filter (where error_category = 'tool_selection') as tool_selection_errors,
        count(*) filter (where error_category = 'sequence_order') as sequence_order_errors,
        count(*) filter (where error_category = 'max_turns') as max_turns_errors,
        count(*) filter (where error_category = 'other') as other_errors,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at
    from {{ ref('int_tool_eval__events') }}
    group by all
),

legacy_only as (
    select l.*
    from {{ ref('int_tool_eval__legacy_cells') }} as l
    anti join event_cells as e
        using (model_name, prompt_type, tool_success_rate, difficulty, task_type)
),

cells as (
    select
        model_name, prompt_type, tool_success_rate, difficulty, task_type,
        'events' as figures_from,
        tests, full_successes, partial_successes, failures,
        execution_time_sum_s, execution_time_n, median_execution_time_s,
        turns_sum, turns_n, tool_calls_sum, tool_calls_n,
        total_errors, tool_call_format_errors, timeout_errors, dependency_errors, parameter_config_errors,
        tool_selection_errors, sequence_order_errors, max_turns_errors, other_errors,
        first_event_at, last_event_at
    from event_cells
    union all
    select
        model_name, prompt_type, tool_success_rate, difficulty, task_type,
        'legacy_master_database' as figures_from,
        tests, full_successes, partial_successes, failures,
        execution_time_sum_s, execution_time_n,
        cast(null as double) as median_execution_time_s,  -- the old file kept no per-test times
        turns_sum, turns_n, tool_calls_sum, tool_calls_n,
        total_errors, tool_call_format_errors, timeout_errors, dependency_errors, parameter_config_errors,
        tool_selection_errors, sequence_order_errors, max_turns_errors, other_errors,
        cast(null as timestamp) as first_event_at,
        snapshot_updated_at as last_event_at
    from legacy_only
)

select
    model_name,
    prompt_type,
    case when substr(prompt_type, 1, 7) = 'flawed_' then 'flawed' else prompt_type end as prompt_family,
    tool_success_rate,
    difficulty,
    task_type,
    figures_from,
    tests,
    full_successes,
    partial_successes,
    failures,
    full_successes / tests as success_rate,
    partial_successes / tests as partial_rate,
    failures / tests as failure_rate,
    execution_time_sum_s / nullif(execution_time_n, 0) as mean_execution_time_s,
    median_execution_time_s,
    turns_sum / nullif(turns_n, 0) as mean_turns,
    tool_calls_sum / nullif(tool_calls_n, 0) as mean_tool_calls,
    total_errors,
    tool_call_format_errors,
    timeout_errors,
    dependency_errors,
    parameter_config_errors,
    tool_selection_errors,
    sequence_order_errors,
    max_turns_errors,
    other_errors,
    execution_time_sum_s,
    execution_time_n,
    turns_sum,
    turns_n,
    tool_calls_sum,
    tool_calls_n,
    first_event_at,
    last_event_at
from cells
where tests > 0
