{#
  Every single-column property of one model checked in one scan: one test node per model instead of one
  per column and property (dbt spends ~30 ms per test node before its query runs; the sample build had
  hundreds of them). Each argument is optional:
    not_null:        [column, ...]
    unique:          [column, ...]            (nulls ignored, as dbt's unique)
    accepted_values: {column: [value, ...]}   (nulls pass, as dbt's accepted_values)
    ranges:          [{column, min_value, max_value, inclusive (default true)}, ...]  (nulls pass)
    expressions:     [sql boolean, ...]       (a null result passes, as expression_is_true)
    unique_combinations: [[column, ...], ...] (nulls compare equal, as unique_combination_of_columns)
  Fails with one row per broken property: which check, on what, how many rows, and a detail (the smallest
  and largest value for a range, the values seen for accepted_values), so a failure reads like the
  single-column test it replaced.
#}
{% test model_checks(model, not_null=[], unique=[], accepted_values={}, ranges=[], expressions=[], unique_combinations=[]) %}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append({'check': 'not_null', 'subject': column,
                              'bad': column ~ ' is null', 'detail': none}) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set literals = [] -%}
        {%- for v in values -%}
            {%- do literals.append("'" ~ (v | string | replace("'", "''")) ~ "'" if v is string else (v | string)) -%}
        {%- endfor -%}
        {%- do checks.append({'check': 'accepted_values', 'subject': column,
                              'bad': column ~ ' is not null and ' ~ column ~ ' not in (' ~ (literals | join(', ')) ~ ')',
                              'detail': 'min(case when ' ~ column ~ ' not in (' ~ (literals | join(', ')) ~ ') then '
                                        ~ dbt.cast(column, dbt.type_string()) ~ ' end)'}) -%}
    {%- endfor -%}
    {%- for r in ranges -%}
        {%- set inclusive = r.get('inclusive', true) -%}
        {%- set conditions = [] -%}
        {%- if r.get('min_value') is not none -%}
            {%- do conditions.append(r['column'] ~ (' >= ' if inclusive else ' > ') ~ r['min_value']) -%}
        {%- endif -%}
        {%- if r.get('max_value') is not none -%}
            {%- do conditions.append(r['column'] ~ (' <= ' if inclusive else ' < ') ~ r['max_value']) -%}
        {%- endif -%}
        {%- do checks.append({'check': 'range', 'subject': r['column'],
                              'bad': r['column'] ~ ' is not null and not (' ~ (conditions | join(' and ') or '1 = 1') ~ ')',
                              'detail': dbt.concat([dbt.cast('min(' ~ r['column'] ~ ')', dbt.type_string()), "' .. '",
                                                    dbt.cast('max(' ~ r['column'] ~ ')', dbt.type_string())])}) -%}
    {%- endfor -%}
    {%- for expression in expressions -%}
        {%- do checks.append({'check': 'expression', 'subject': expression,
                              'bad': 'not (' ~ expression ~ ')', 'detail': none}) -%}
    {%- endfor %}
    with counted as (
        select
            {%- for c in checks %}
            sum(case when {{ c.bad }} then 1 else 0 end) as bad_{{ loop.index }},
            {{ c.detail if c.detail else dbt.cast('null', dbt.type_string()) }} as detail_{{ loop.index }},
            {%- endfor %}
            {%- for column in unique %}
            count({{ column }}) - count(distinct {{ column }}) as duplicates_{{ loop.index }},
            {%- endfor %}
            count(*) as row_count
        from {{ model }}
    )
    {%- set parts = [] -%}
    {%- for c in checks -%}
        {%- do parts.append("select '" ~ c.check ~ "' as failed_check, '" ~ (c.subject | replace("'", "''"))
                            ~ "' as checked, bad_" ~ loop.index ~ " as failing_rows, detail_" ~ loop.index
                            ~ " as detail from counted where bad_" ~ loop.index ~ " > 0") -%}
    {%- endfor -%}
    {%- for column in unique -%}
        {%- do parts.append("select 'unique' as failed_check, '" ~ column ~ "' as checked, duplicates_" ~ loop.index
                            ~ " as failing_rows, " ~ dbt.cast('null', dbt.type_string()) ~ " as detail from counted where duplicates_"
                            ~ loop.index ~ " > 0") -%}
    {%- endfor -%}
    {#- a compound key needs its own grouping: one subquery per key, still inside this one test node -#}
    {%- for key in unique_combinations -%}
        {%- do parts.append("select 'unique_combination' as failed_check, '" ~ (key | join(', ')) ~ "' as checked, count(*) as failing_rows, "
                            ~ dbt.cast('null', dbt.type_string()) ~ " as detail from (select " ~ (key | join(', ')) ~ " from " ~ model
                            ~ " group by " ~ (key | join(', ')) ~ " having count(*) > 1) duplicated_keys having count(*) > 0") -%}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') if parts else "select 'none' as failed_check, 'none' as checked, 0 as failing_rows, "
       ~ dbt.cast('null', dbt.type_string()) ~ " as detail from counted where false" }}
{% endtest %}
