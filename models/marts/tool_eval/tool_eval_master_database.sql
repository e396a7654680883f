{{ config(materialized='view') }}
-- The old nested master_database.json, rebuilt from agg_tool_eval_by_cell for readers that still expect
-- it: one row, one JSON document shaped
--   {version, generated_at, models: {<m>: {model_name, total_tests, by_prompt_type: {<p>:
--     {by_tool_success_rate: {<r>: {by_difficulty: {<d>: {by_task_type: {<t>: {<leaf counters>}}}}}}}}}},
--    summary: {...}}
-- Leaf counters use the old names (total, success, partial, failed, *_rate, avg_*, *_errors), where
-- `success` counts full successes only, as the old writer's did.
-- Export: see docs/eval_events.md ("For readers of the old file").
{% set leaf_counters = [
            ('total', 'tests'),
            ('success', 'full_successes'),
            ('partial', 'partial_successes'),
            ('failed', 'failures'),
            ('success_rate', 'success_rate'),
            ('partial_rate', 'partial_rate'),
            ('failure_rate', 'failure_rate'),
            ('avg_execution_time', 'mean_execution_time_s'),
            ('avg_turns', 'mean_turns'),
            ('avg_tool_calls', 'mean_tool_calls'),
            ('total_errors', 'total_errors'),
            ('tool_call_format_errors', 'tool_call_format_errors'),
            ('timeout_errors', 'timeout_errors'),
            ('dependency_errors', 'dependency_errors'),
            ('parameter_config_errors', 'parameter_config_errors'),
            ('tool_selection_errors', 'tool_selection_errors'),
            ('sequence_order_errors', 'sequence_order_errors'),
            ('max_turns_errors', 'max_turns_errors'),
            ('other_errors', 'other_errors')
] -%}
with leaf as (
    select
        model_name,
        prompt_type,
        -- the old keys were strings like "0.8"
        {{ semibench.eval_rate_text('tool_success_rate') }} as rate_key,
        difficulty,
        task_type,
        tests,
        {{ semibench.json_doc_object(leaf_counters) }} as node
    from {{ ref('agg_tool_eval_by_cell') }}
),

by_difficulty as (
    select model_name, prompt_type, rate_key, difficulty,
           {{ semibench.json_doc_object([('by_task_type', semibench.json_doc_group_object('task_type', 'node'))]) }} as node
    from leaf
    group by model_name, prompt_type, rate_key, difficulty
),

by_rate as (
    select model_name, prompt_type, rate_key,
           {{ semibench.json_doc_object([('by_difficulty', semibench.json_doc_group_object('difficulty', 'node'))]) }} as node
    from by_difficulty
    group by model_name, prompt_type, rate_key
),

by_prompt as (
    select model_name, prompt_type,
           {{ semibench.json_doc_object([('by_tool_success_rate', semibench.json_doc_group_object('rate_key', 'node'))]) }} as node
    from by_rate
    group by model_name, prompt_type
),

models as (
    select
        p.model_name,
        {{ semibench.json_doc_object([
            ('model_name', 'p.model_name'),
            ('total_tests', 'any_value(m.tests)'),
            ('by_prompt_type', semibench.json_doc_group_object('p.prompt_type', 'p.node')),
        ]) }} as node
    from by_prompt as p
    inner join {{ ref('agg_tool_eval_by_model') }} as m using (model_name)
    group by p.model_name
),

summary as (
    select
        sum(tests) as total_tests,
        sum(full_successes) as total_success,
        sum(partial_successes) as total_partial,
        sum(failures) as total_failure,
        {{ semibench.sorted_list_agg('model_name') }} as models_tested
    from {{ ref('agg_tool_eval_by_model') }}
),

all_models as (
    select coalesce({{ semibench.json_doc_group_object('model_name', 'node') }}, {{ semibench.json_doc_empty_object() }}) as models
    from models
)

select
    {{ semibench.json_doc_serialize(semibench.json_doc_object([
        ('version', "'3.0'"),
        ('generated_by', "'semibench tool_eval_master_database'"),
        ('models', 'a.models'),
        ('summary', semibench.json_doc_object([
            ('total_tests', 'coalesce(s.total_tests, 0)'),
            ('total_success', 'coalesce(s.total_success, 0)'),
            ('total_partial', 'coalesce(s.total_partial, 0)'),
            ('total_failure', 'coalesce(s.total_failure, 0)'),
            ('models_tested', 'coalesce(s.models_tested, ' ~ semibench.json_doc_empty_array() ~ ')'),
        ])),
    ])) }} as master_database
from summary as s
cross join all_models as a
