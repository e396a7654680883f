{# Generic data tests for the tool-use evaluation models. Prefixed `eval_` so they never clash with the
   project-wide helpers (unique_combination_of_columns, expression_is_true, accepted_range) written for
   InferenceMAX; there is no dbt_utils on these offline machines. Each test returns the offending rows. #}

{# Rows sharing the same values of all the given columns (a compound key that is not unique). #}
{% test eval_unique_combination(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{# Rows where a boolean SQL expression is false or null (null counts as a failure: a check that cannot
   be evaluated has not passed). `column_name` is accepted so the test can sit under a column. #}
{% test eval_expression_true(model, expression, column_name=none) %}
select * from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}

{# Values outside [min_value, max_value]; nulls are left to not_null tests. #}
{% test eval_between(model, column_name, min_value, max_value) %}
select * from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}

{# Values that collide once lower-cased (aliases are matched case-insensitively). #}
{% test eval_unique_lower(model, column_name) %}
select lower({{ column_name }}) as value_lower, count(*) as n_rows
from {{ model }}
group by 1
having count(*) > 1
{% endtest %}

{# Rows whose value is not valid JSON (nulls are left to not_null tests). On Spark the check is lenient
   (see json_doc_is_valid in macros/cross_db/json_docs.sql). #}
{% test eval_json_valid(model, column_name) %}
select * from {{ model }}
where {{ column_name }} is not null
  and not coalesce({{ semibench.json_doc_is_valid(column_name) }}, false)
{% endtest %}
