{#
  Portable building blocks for the run models (vLLM / InferenceMAX results): arrays read from JSON and
  unnested by position. Each has a duckdb__ and a spark__ implementation, like macros/cross_db/portable.sql.
#}

{#
  array_type(element_type, depth=1): the SQL type of an array (of arrays when depth > 1) of element_type,
  e.g. array_type('double', 2) = DuckDB DOUBLE[][] / Spark array<array<double>>.
#}
{% macro array_type(element_type, depth=1) -%}
    {{ return(adapter.dispatch('array_type', 'semibench')(element_type, depth)) }}
{%- endmacro %}
{% macro default__array_type(element_type, depth) -%}
    {{ element_type }}{{ '[]' * depth }}
{%- endmacro %}
{% macro spark__array_type(element_type, depth) -%}
    {{ 'array<' * depth }}{{ element_type }}{{ '>' * depth }}
{%- endmacro %}

{#
  json_typed_struct(json_column, spec): parse a JSON document ONCE into a struct of typed fields.
  spec maps json key -> SQL type (use array_type for arrays). A value that does not fit its type is null
  (that field only). Access fields with dot notation (`j.ttfts`).
  DuckDB: one try_cast per field of the key's JSON (kept as the models always did it: a value that does
  not fit nulls the whole field). Spark: one from_json with a DDL struct schema.
#}
{% macro json_typed_struct(json_column, spec) -%}
    {{ return(adapter.dispatch('json_typed_struct', 'semibench')(json_column, spec)) }}
{%- endmacro %}
{% macro default__json_typed_struct(json_column, spec) -%}
    {{ exceptions.raise_compiler_error("json_typed_struct is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}
{% macro duckdb__json_typed_struct(json_column, spec) -%}
    struct_pack(
    {%- for key, type in spec.items() %}
        {{ adapter.quote(key) }} := try_cast({{ json_column }} -> '$.{{ key }}' as {{ type }}){{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
{% macro spark__json_typed_struct(json_column, spec) -%}
    {%- set parts = [] -%}
    {%- for key, type in spec.items() -%}
        {%- do parts.append('`' ~ key ~ '`:' ~ type) -%}
    {%- endfor -%}
    from_json({{ json_column }}, 'struct<{{ parts | join(",") }}>')
{%- endmacro %}

{# array_element_at_offset(arr, offset): the element at the 0-based offset; null when the index is out of range #}
{% macro array_element_at_offset(arr, index) -%}
    {{ return(adapter.dispatch('array_element_at_offset', 'semibench')(arr, index)) }}
{%- endmacro %}
{% macro default__array_element_at_offset(arr, index) -%}{{ arr }}[{{ index }} + 1]{%- endmacro %}
{% macro spark__array_element_at_offset(arr, index) -%}try_element_at({{ arr }}, cast({{ index }} as int) + 1){%- endmacro %}

{#
  array_sum(arr): sum of the non-null elements of a numeric array, left to right; null when the array is
  null, empty or all null (DuckDB's list_sum).
#}
{% macro array_sum(arr) -%}
    {{ return(adapter.dispatch('array_sum', 'semibench')(arr)) }}
{%- endmacro %}
{% macro default__array_sum(arr) -%}list_sum({{ arr }}){%- endmacro %}
{% macro spark__array_sum(arr) -%}
    aggregate(filter({{ arr }}, x -> x is not null), cast(null as double), (acc, x) -> coalesce(acc, 0) + x)
{%- endmacro %}

{#
  unnest_positions(count): a select-list generator giving one row per position 0 .. count - 1 (bigint) of
  the input row; no row when count is 0 or null. Use at most one per select, as `... as request_index`.
#}
{% macro unnest_positions(count) -%}
    {{ return(adapter.dispatch('unnest_positions', 'semibench')(count)) }}
{%- endmacro %}
{% macro default__unnest_positions(count) -%}
    unnest(generate_series(0, {{ count }} - 1))
{%- endmacro %}
{% macro spark__unnest_positions(count) -%}
    {#- sequence(0, -1) counts DOWN to -1 on Spark, so an empty count must not reach it -#}
    explode(case when {{ count }} > 0 then sequence(cast(0 as bigint), cast({{ count }} as bigint) - 1) end)
{%- endmacro %}
