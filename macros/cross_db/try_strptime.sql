{# text -> timestamp with a strftime-style format, null when the text does not match (instead of failing
   the build on one odd value) #}
{% macro try_strptime(expr, format) -%}
    {{ return(adapter.dispatch('try_strptime', 'semibench')(expr, format)) }}
{%- endmacro %}
{% macro default__try_strptime(expr, format) -%}
    {{ exceptions.raise_compiler_error("try_strptime is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}
{% macro duckdb__try_strptime(expr, format) -%}try_strptime({{ expr }}, '{{ format }}'){%- endmacro %}
{% macro spark__try_strptime(expr, format) -%}
    try_to_timestamp({{ expr }}, '{{ format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd') | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') }}')
{%- endmacro %}
