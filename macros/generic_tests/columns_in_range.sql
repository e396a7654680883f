{#
  accepted_range for several columns of one model in one scan (one test node per model instead of one per
  column). `ranges`: a list of {column, min_value, max_value, inclusive (default true)}; null values pass,
  as in accepted_range. Fails with one row per column that has values out of range: the column, how many
  rows, and its smallest and largest value.
#}
{% test columns_in_range(model, ranges) %}
    {%- set checks = [] -%}
    {%- for r in ranges -%}
        {%- set inclusive = r.get('inclusive', true) -%}
        {%- set conditions = [] -%}
        {%- if r.get('min_value') is not none -%}
            {%- do conditions.append(r['column'] ~ (' >= ' if inclusive else ' > ') ~ r['min_value']) -%}
        {%- endif -%}
        {%- if r.get('max_value') is not none -%}
            {%- do conditions.append(r['column'] ~ (' <= ' if inclusive else ' < ') ~ r['max_value']) -%}
        {%- endif -%}
        {%- do checks.append((r['column'], conditions | join(' and ') or '1 = 1')) -%}
    {%- endfor %}
    with out_of_range as (
        select
            {%- for column, condition in checks %}
            sum(case when {{ column }} is not null and not ({{ condition }}) then 1 else 0 end) as bad_{{ loop.index }},
            {{ dbt.cast('min(' ~ column ~ ')', dbt.type_string()) }} as min_{{ loop.index }},
            {{ dbt.cast('max(' ~ column ~ ')', dbt.type_string()) }} as max_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ model }}
    )
    {%- for column, condition in checks %}
    select '{{ column }}' as out_of_range_column, bad_{{ loop.index }} as out_of_range_rows,
        min_{{ loop.index }} as min_value, max_{{ loop.index }} as max_value
    from out_of_range
    where bad_{{ loop.index }} > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
