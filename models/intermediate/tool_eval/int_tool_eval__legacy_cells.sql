-- Legacy master_database.json cells reduced to one figure per canonical cell.
-- Every file is a cumulative snapshot, so snapshots must not be added up: for each canonical cell
-- (model x prompt_type x tool_success_rate x difficulty x task_type) the latest snapshot that has it wins
-- (by the file's last_updated, then landing time). Within that snapshot, cells filed under several
-- spellings of the model (DeepSeek-V3-0324 and DeepSeek-V3-0324-2) are different tests and are summed.
with cells as (
    select c.*, n.model_name
    from {{ ref('stg_tool_eval__legacy_cells') }} as c
    inner join {{ ref('int_tool_eval__model_names') }} as n using (model_raw)
),

snapshot_choice as (
    select
        model_name, prompt_type, tool_success_rate, difficulty, task_type,
        {{ semibench.arg_max('snapshot_sha256', ['coalesce(snapshot_updated_at, loaded_at)', 'loaded_at', 'snapshot_sha256']) }}
            as snapshot_sha256
    from cells
    group by all
)

-- integer sums are HUGEINT in DuckDB: cast back to BIGINT to match the event counts
select
    c.model_name,
    c.prompt_type,
    c.tool_success_rate,
    c.difficulty,
    c.task_type,
    c.snapshot_sha256,
    max(c.snapshot_updated_at) as snapshot_updated_at,
    {{ semibench.sorted_list_agg('c.source_file', distinct=true) }} as source_files,
    cast(sum(c.tests) as bigint) as tests,
    cast(sum(c.full_successes) as bigint) as full_successes,
    cast(sum(c.partial_successes) as bigint) as partial_successes,
    cast(sum(c.tests - c.full_successes - c.partial_successes) as bigint) as failures,
    -- averages come back to sums so cells can be re-aggregated exactly
    {{ semibench.eval_sum_double('c.avg_execution_time_s * c.tests') }} as execution_time_sum_s,
    cast(sum(case when c.avg_execution_time_s is not null then c.tests end) as bigint) as execution_time_n,
    {{ semibench.eval_sum_double('c.avg_turns * c.tests') }} as turns_sum,
    cast(sum(case when c.avg_turns is not null then c.tests end) as bigint) as turns_n,
    {{ semibench.eval_sum_double('c.avg_tool_calls * c.tests') }} as tool_calls_sum,
    cast(sum(case when c.avg_tool_calls is not null then c.tests end) as bigint) as tool_calls_n,
    cast(sum(c.tests - c.full_successes) as bigint) as total_errors,
    cast(sum(c.tool_call_format_errors) as bigint) as tool_call_format_errors,
    cast(sum(c.timeout_errors) as bigint) as timeout_errors,
    cast(sum(c.dependency_errors) as bigint) as dependency_errors,
    cast(sum(c.parameter_config_errors) as bigint) as parameter_config_errors,
    cast(sum(c.tool_selection_errors) as bigint) as tool_selection_errors,
    cast(sum(c.sequence_order_errors) as bigint) as sequence_order_errors,
    cast(sum(c.max_turns_errors) as bigint) as max_turns_errors,
    cast(sum(c.other_errors) as bigint) as other_errors
from cells as c
inner join snapshot_choice as s
    using (model_name, prompt_type, tool_success_rate, difficulty, task_type, snapshot_sha256)
group by all
