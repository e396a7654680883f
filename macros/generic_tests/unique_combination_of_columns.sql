{#
  Fails for every combination of the given columns that occurs more than once.
  Null-safe: GROUP BY puts nulls in one group, so (a, null) twice counts as a duplicate.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select {{ columns_csv }}, count(*) as n_records
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
