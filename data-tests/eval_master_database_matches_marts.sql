-- The rebuilt master_database.json must report the same totals as the marts, per model and overall.
with doc as (
    select master_database as j from {{ ref('tool_eval_master_database') }}
),
per_model as (
    select m.model_name, m.tests,
           (select (j -> '$.models' -> m.model_name ->> '$.total_tests')::bigint from doc) as doc_tests
    from {{ ref('agg_tool_eval_by_model') }} as m
)
select model_name, tests, doc_tests from per_model where doc_tests is distinct from tests
union all
select 'summary', (select coalesce(sum(tests), 0) from {{ ref('agg_tool_eval_by_model') }}),
       (select (j ->> '$.summary.total_tests')::bigint from doc)
where (select coalesce(sum(tests), 0) from {{ ref('agg_tool_eval_by_model') }})
      is distinct from (select (j ->> '$.summary.total_tests')::bigint from doc)
