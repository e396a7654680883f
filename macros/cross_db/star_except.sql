{#
  star_except(relation, except): the relation's columns minus `except`, as a select list (a small
  stand-in for dbt_utils.star, which needs `dbt deps`). Falls back to `*` when the relation does not
  exist yet (parse/compile before the first build).
#}
{% macro star_except(relation, except=[]) -%}
    {%- if not execute -%}
        *
    {%- else -%}
        {%- set excluded = except | map('lower') | list -%}
        {%- set columns = adapter.get_columns_in_relation(relation) -%}
        {%- set kept = [] -%}
        {%- for column in columns if column.name | lower not in excluded -%}
            {%- do kept.append(adapter.quote(column.name)) -%}
        {%- endfor -%}
        {{ kept | join(',\n    ') if kept else '*' }}
    {%- endif -%}
{%- endmacro %}
