{# The two checks only the tool-use evaluation models need (ranges, expressions and compound keys go
   through the project-wide model_checks and unique_combination_of_columns). Each returns the offending rows. #}

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
