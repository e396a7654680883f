{#
  Portable building blocks shared by every model. Each has a duckdb__ and a spark__ implementation;
  models call these (or dbt's own cross-database macros) instead of engine-specific syntax.
#}

{# json_text(json, path): the value at a JSONPath ('$.a.b') as text (numbers/booleans as their JSON
   text, objects/arrays as JSON), null when missing. #}
{% macro json_text(json, path) -%}
    {{ return(adapter.dispatch('json_text', 'semibench')(json, path)) }}
{%- endmacro %}
{% macro default__json_text(json, path) -%}
    json_extract_string({{ json }}, '{{ path }}')
{%- endmacro %}
{% macro duckdb__json_text(json, path) -%}
    ({{ json }} ->> '{{ path }}')
{%- endmacro %}
{% macro spark__json_text(json, path) -%}
    get_json_object({{ json }}, '{{ path }}')
{%- endmacro %}

{# arg_max(value, order_by): value of the row with the greatest order_by; order_by may be a list of
   expressions compared left to right (ties broken by the next one). #}
{% macro arg_max(value, order_by) -%}
    {{ return(adapter.dispatch('arg_max', 'semibench')(value, order_by)) }}
{%- endmacro %}
{% macro default__arg_max(value, order_by) -%}
    {%- if order_by is string -%}
    arg_max({{ value }}, {{ order_by }})
    {%- else -%}
    arg_max({{ value }}, ({{ order_by | join(', ') }}))
    {%- endif -%}
{%- endmacro %}
{% macro spark__arg_max(value, order_by) -%}
    {%- if order_by is string -%}
    max_by({{ value }}, {{ order_by }})
    {%- else -%}
    max_by({{ value }}, struct({{ order_by | join(', ') }}))
    {%- endif -%}
{%- endmacro %}

{# sorted_list_agg(expr, distinct): an array of the group's non-null values, sorted ascending. #}
{% macro sorted_list_agg(expr, distinct=false) -%}
    {{ return(adapter.dispatch('sorted_list_agg', 'semibench')(expr, distinct)) }}
{%- endmacro %}
{% macro default__sorted_list_agg(expr, distinct) -%}
    list({% if distinct %}distinct {% endif %}{{ expr }} order by {{ expr }}) filter (where {{ expr }} is not null)
{%- endmacro %}
{% macro spark__sorted_list_agg(expr, distinct) -%}
    array_sort({% if distinct %}collect_set{% else %}collect_list{% endif %}({{ expr }}))
{%- endmacro %}

{# timestamp_from_epoch_us(us): UTC timestamp (no time zone) from microseconds since the Unix epoch #}
{% macro timestamp_from_epoch_us(us) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_us', 'semibench')(us)) }}
{%- endmacro %}
{% macro default__timestamp_from_epoch_us(us) -%}make_timestamp({{ us }}){%- endmacro %}
{% macro spark__timestamp_from_epoch_us(us) -%}cast(timestamp_micros({{ us }}) as timestamp){%- endmacro %}

{# epoch_seconds(ts): seconds since the Unix epoch (double) of a timestamp without time zone (UTC) #}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'semibench')(ts)) }}
{%- endmacro %}
{% macro default__epoch_seconds(ts) -%}epoch({{ ts }}){%- endmacro %}
{% macro spark__epoch_seconds(ts) -%}(unix_micros(cast({{ ts }} as timestamp)) / 1e6){%- endmacro %}
