{# Small portable SQL helpers. DuckDB is the target; the dispatch hooks keep a Spark path open. #}

{# 64-bit IEEE float type name (dbt's type_float() maps to 32-bit REAL on DuckDB). #}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'semibench')()) }}
{%- endmacro %}
{% macro default__type_double() -%}double{%- endmacro %}
{% macro postgres__type_double() -%}double precision{%- endmacro %}

{# true when expr is a finite number (not NaN, not +/-Infinity). #}
{% macro is_finite(expr) -%}
    {{ return(adapter.dispatch('is_finite', 'semibench')(expr)) }}
{%- endmacro %}
{% macro default__is_finite(expr) -%}
    ({{ expr }} = {{ expr }} and abs({{ expr }}) <= 1.7976931348623157e308)
{%- endmacro %}
{% macro duckdb__is_finite(expr) -%}isfinite({{ expr }}){%- endmacro %}
{% macro spark__is_finite(expr) -%}
    (not isnan({{ expr }}) and abs({{ expr }}) <= 1.7976931348623157e308)
{%- endmacro %}

{# null-safe equality usable as a (hash) join condition #}
{% macro null_safe_equals(left, right) -%}
    {{ return(adapter.dispatch('null_safe_equals', 'semibench')(left, right)) }}
{%- endmacro %}
{% macro default__null_safe_equals(left, right) -%}
    {{ left }} is not distinct from {{ right }}
{%- endmacro %}
{% macro spark__null_safe_equals(left, right) -%}
    {{ left }} <=> {{ right }}
{%- endmacro %}

{# lenient text -> boolean: true/false, 1/0, yes/no, on/off (any case); 'none' means off; else null #}
{% macro text_to_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', '1', 'yes', 'on', 't', 'y') then true
        when lower(trim({{ expr }})) in ('false', '0', 'no', 'off', 'f', 'n', 'none') then false
    end
{%- endmacro %}

{#
  sequence_slug_tokens(slug, side): token count of one side of a sequence slug such as '1k_8k'
  (side 1 = input/isl, side 2 = output/osl). 'k' means x1024 (1k = 1024, 8k = 8192); a bare number is
  taken as is; anything else gives null.
#}
{% macro sequence_slug_tokens(slug, side) -%}
    {%- set part = "lower(trim(" ~ dbt.split_part(slug, "'_'", side) ~ "))" -%}
    case
        when {{ part }} like '%k'
            then {{ semibench.try_cast("replace(" ~ part ~ ", 'k', '')", dbt.type_int()) }} * 1024
        else {{ semibench.try_cast(part, dbt.type_int()) }}
    end
{%- endmacro %}

{# cast that yields null instead of failing on a bad value (dbt-duckdb does not override dbt.safe_cast,
   whose default is a plain cast) #}
{% macro try_cast(expr, type) -%}
    {{ return(adapter.dispatch('try_cast', 'semibench')(expr, type)) }}
{%- endmacro %}
{% macro default__try_cast(expr, type) -%}{{ dbt.safe_cast(expr, type) }}{%- endmacro %}
{% macro duckdb__try_cast(expr, type) -%}try_cast({{ expr }} as {{ type }}){%- endmacro %}
{% macro spark__try_cast(expr, type) -%}try_cast({{ expr }} as {{ type }}){%- endmacro %}
