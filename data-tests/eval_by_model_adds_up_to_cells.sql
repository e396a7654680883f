-- Every per-model figure must be the exact sum of that model's cells: a rollup that drops or double
-- counts a cell shows up here.
with cells as (
    select model_name, sum(tests) as tests, sum(full_successes) as full_successes,
           sum(partial_successes) as partial_successes, sum(total_errors) as total_errors
    from {{ ref('agg_tool_eval_by_cell') }}
    group by all
)
select m.model_name
from {{ ref('agg_tool_eval_by_model') }} as m
full outer join cells as c using (model_name)
where not ({{ semibench.null_safe_equals('c.tests', 'm.tests') }})
   or not ({{ semibench.null_safe_equals('c.full_successes', 'm.full_successes') }})
   or not ({{ semibench.null_safe_equals('c.partial_successes', 'm.partial_successes') }})
   or not ({{ semibench.null_safe_equals('c.total_errors', 'm.total_errors') }})
   or m.tests_from_events + m.tests_from_legacy <> m.tests
