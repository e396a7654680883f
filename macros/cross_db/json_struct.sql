{#
  json_struct(json_column, spec): parse a JSON document ONCE into a struct whose leaves are strings.

  spec is a (nested) dict of json key -> 'varchar' | dict, e.g.
      {'x': 'varchar', 'tpPerGpu': {'y': 'varchar', 'roof': 'varchar'}}
  Leaves come back as text (numbers and booleans as their JSON text, missing keys and type mismatches as
  null) so the caller decides the types with safe casts: an odd value nulls one field instead of failing
  the build. Access leaves with dot notation (`j.tpPerGpu.y`), which DuckDB and Spark both support.

  DuckDB: json_transform (one parse per row; far cheaper than one json_extract per field).
  Spark:  from_json with a DDL struct schema (a JSON number read into a string field keeps its text).
#}
{% macro json_struct(json_column, spec) -%}
    {{ return(adapter.dispatch('json_struct', 'semibench')(json_column, spec)) }}
{%- endmacro %}

{% macro default__json_struct(json_column, spec) -%}
    {{ exceptions.raise_compiler_error("json_struct is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__json_struct(json_column, spec) -%}
    json_transform({{ json_column }}, '{{ semibench._json_struct_duckdb_spec(spec) }}')
{%- endmacro %}

{% macro _json_struct_duckdb_spec(spec) -%}
    {%- set parts = [] -%}
    {%- for key, value in spec.items() -%}
        {%- if value is mapping -%}
            {%- do parts.append('"' ~ key ~ '":' ~ semibench._json_struct_duckdb_spec(value)) -%}
        {%- else -%}
            {%- do parts.append('"' ~ key ~ '":"VARCHAR"') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ '{' ~ parts | join(',') ~ '}' }}
{%- endmacro %}

{% macro spark__json_struct(json_column, spec) -%}
    from_json({{ json_column }}, '{{ semibench._json_struct_spark_ddl(spec) }}')
{%- endmacro %}

{% macro _json_struct_spark_ddl(spec) -%}
    {%- set parts = [] -%}
    {%- for key, value in spec.items() -%}
        {%- if value is mapping -%}
            {%- do parts.append('`' ~ key ~ '`:' ~ semibench._json_struct_spark_ddl(value)) -%}
        {%- else -%}
            {%- do parts.append('`' ~ key ~ '`:string') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ 'struct<' ~ parts | join(',') ~ '>' }}
{%- endmacro %}
