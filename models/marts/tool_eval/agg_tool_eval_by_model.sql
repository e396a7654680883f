-- Tool-use evaluation results per model over everything it was tested on: the sum of its cells in
-- agg_tool_eval_by_cell, plus a median over its distinct test events (only when every test behind the
-- row is an event: a median cannot be rebuilt from the legacy file's averages).
with cells as (
    select * from {{ ref('agg_tool_eval_by_cell') }}
),

events as (
    select model_name, median(execution_time_s) as median_execution_time_s
    from {{ ref('int_tool_eval__events') }}
    group by all
),

totals as (
    select
        model_name,
        sum(tests)::bigint as tests,
        sum(tests) filter (where figures_from = 'events')::bigint as tests_from_events,
        coalesce(sum(tests) filter (where figures_from = 'legacy_master_database'), 0)::bigint as tests_from_legacy,
        count(distinct prompt_type) as prompt_types,
        sum(full_successes)::bigint as full_successes,
        sum(partial_successes)::bigint as partial_successes,
        sum(failures)::bigint as failures,
        sum(execution_time_sum_s) as execution_time_sum_s,
        sum(execution_time_n)::bigint as execution_time_n,
        sum(turns_sum) as turns_sum,
        sum(turns_n)::bigint as turns_n,
        sum(tool_calls_sum) as tool_calls_sum,
        sum(tool_calls_n)::bigint as tool_calls_n,
        sum(total_errors)::bigint as total_errors,
        sum(tool_call_format_errors)::bigint as tool_call_format_errors,
        sum(timeout_errors)::bigint as timeout_errors,
        sum(dependency_errors)::bigint as dependency_errors,
        sum(parameter_config_errors)::bigint as parameter_config_errors,
        sum(tool_selection_errors)::bigint as tool_selection_errors,
        sum(sequence_order_errors)::bigint as sequence_order_errors,
        sum(max_turns_errors)::bigint as max_turns_errors,
        sum(other_errors)::bigint as other_errors,
        min(first_event_at) as first_event_at,
        max(last_event_at) as last_event_at
    from cells
    group by all
),

error_mix as (
    -- the most frequent error category (ties broken by name so the answer is stable)
    select model_name, arg_max(category, (n, category)) as top_error_category
    from totals
    unpivot (n for category in (
        tool_call_format_errors, timeout_errors, dependency_errors, parameter_config_errors,
        tool_selection_errors, sequence_order_errors, max_turns_errors, other_errors))
    where n > 0
    group by all
)

select
    t.model_name,
    t.tests,
    coalesce(t.tests_from_events, 0) as tests_from_events,
    t.tests_from_legacy,
    t.prompt_types,
    t.full_successes,
    t.partial_successes,
    t.failures,
    t.full_successes / t.tests as success_rate,
    t.partial_successes / t.tests as partial_rate,
    t.failures / t.tests as failure_rate,
    t.execution_time_sum_s / nullif(t.execution_time_n, 0) as mean_execution_time_s,
    case when t.tests_from_legacy = 0 then e.median_execution_time_s end as median_execution_time_s,
    t.turns_sum / nullif(t.turns_n, 0) as mean_turns,
    t.tool_calls_sum / nullif(t.tool_calls_n, 0) as mean_tool_calls,
    t.total_errors,
    t.tool_call_format_errors,
    t.timeout_errors,
    t.dependency_errors,
    t.parameter_config_errors,
    t.tool_selection_errors,
    t.sequence_order_errors,
    t.max_turns_errors,
    t.other_errors,
    replace(m.top_error_category, '_errors', '') as top_error_category,
    t.first_event_at,
    t.last_event_at
from totals as t
left join events as e using (model_name)
left join error_mix as m using (model_name)
