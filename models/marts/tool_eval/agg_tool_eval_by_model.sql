-- Tool-use evaluation results per model over everything it was tested on: the sum of its cells in
-- agg_tool_eval_by_cell, plus a median over its distinct test events (only when every test behind the
-- row is an event: a median cannot be rebuilt from the legacy file's averages).
with cells as (
    select * from {{ ref('agg_tool_eval_by_cell') }}
),

events as (
    select model_name, {{ semibench.eval_median('execution_time_s') }} as median_execution_time_s
    from {{ ref('int_tool_eval__events') }}
    group by all
),

totals as (
    select
        model_name,
        cast(sum(tests) as bigint) as tests,
        cast(sum(tests) filter (where figures_from = 'events') as bigint) as tests_from_events,
        cast(coalesce(sum(tests) filter (where figures_from = 'legacy_master_database'), 0) as bigint) as tests_from_legacy,
        count(distinct prompt_type) as prompt_types,
        cast(sum(full_successes) as bigint) as full_successes,
        cast(sum(partial_successes) as bigint) as partial_successes,
        cast(sum(failures) as bigint) as failures,
        {{ semibench.eval_sum_double('execution_time_sum_s') }} as execution_time_sum_s,
        cast(sum(execution_time_n) as bigint) as execution_time_n,
        {{ semibench.eval_sum_double('turns_sum') }} as turns_sum,
        cast(sum(turns_n) as bigint) as turns_n,
        {{ semibench.eval_sum_double('tool_calls_sum') }} as tool_calls_sum,
        cast(sum(tool_calls_n) as bigint) as tool_calls_n,
        cast(sum(total_errors) as bigint) as total_errors,
        cast(sum(tool_call_format_errors) as bigint) as tool_call_format_errors,
        cast(sum(timeout_errors) as bigint) as timeout_errors,
        cast(sum(dependency_errors) as bigint) as dependency_errors,
        cast(sum(parameter_config_errors) as bigint) as parameter_config_errors,
        cast(sum(tool_selection_errors) as bigint) as tool_selection_errors,
        cast(sum(sequence_order_errors) as bigint) as sequence_order_errors,
        cast(sum(max_turns_errors) as bigint) as max_turns_errors,
        cast(sum(other_errors) as bigint) as other_errors,
        min(first_event_at) as first_event_at,
        max(last_event_at) as last_event_at
    from cells
    group by all
),

error_mix as (
    -- the most frequent error category (ties broken by name so the answer is stable)
    select model_name, {{ semibench.arg_max('category', ['n', 'category']) }} as top_error_category
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
