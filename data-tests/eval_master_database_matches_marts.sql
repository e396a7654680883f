-- The rebuilt master_database.json must report the same totals as the marts, per model and overall.
with doc as (
    select master_database as j from {{ ref('tool_eval_master_database') }}
),
doc_summary as (
    select cast({{ semibench.json_text('j', '$.summary.total_tests') }} as bigint) as doc_tests from doc
),
per_model as (
    -- model names may hold dots (qwen2.5-72b-instruct): look them up as keys, not in a JSONPath
    select m.model_name, m.tests,
           cast({{ semibench.json_text(semibench.json_doc_child(semibench.json_text('d.j', '$.models'), 'm.model_name'), '$.total_tests') }}
                as bigint) as doc_tests
    from {{ ref('agg_tool_eval_by_model') }} as m
    cross join doc as d
),
mart_summary as (
    select coalesce(sum(tests), 0) as tests from {{ ref('agg_tool_eval_by_model') }}
)
select model_name, tests, doc_tests from per_model
where not ({{ semibench.null_safe_equals('doc_tests', 'tests') }})
union all
select 'summary', ms.tests, ds.doc_tests
from mart_summary as ms
cross join doc_summary as ds
where not ({{ semibench.null_safe_equals('ms.tests', 'ds.doc_tests') }})
