{#
  Portable building blocks of the InferenceMAX, per-model and ops models (port-imx). Each has a
  default__/duckdb__ and a spark__ implementation, like macros/cross_db/portable.sql.
#}

{#
  snapshot_incremental_config(): the incremental config of the per-snapshot history models
  (base_inferencemax__points, int_inferencemax__points_joined_history, int_inferencemax__hardware_snapshot_stats,
  int_inferencemax__snapshot_point_diffs), as a dict for config(**...). Evaluated at parse time (no queries).

  DuckDB: delete+insert on snapshot_id (a reprocessed snapshot is replaced whole).
  Spark (parquet, no Delta/Iceberg: no DELETE, no MERGE): insert_overwrite partitioned by
  snapshot_batch_key with dynamic partition overwrite. A batch key identifies one snapshot (or pair)
  under one fingerprint, so a reprocessed snapshot lands in a new partition and the post-hook
  delete_stale_batch_rows drops the partition of its old fingerprint (and those of snapshots gone
  from raw). The partition column goes last in a Spark table: only the bookkeeping columns
  snapshot_batch_key and dbt_invocation_id swap places, every data column keeps its position.
#}
{% macro snapshot_incremental_config() -%}
    {{ return(adapter.dispatch('snapshot_incremental_config', 'semibench')()) }}
{%- endmacro %}
{% macro default__snapshot_incremental_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'snapshot_id'}) }}
{%- endmacro %}
{% macro spark__snapshot_incremental_config() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['snapshot_batch_key'], 'file_format': 'parquet'}) }}
{%- endmacro %}

{#
  sorted_string_agg(expr, separator): the group's non-null values of a text expression, sorted
  ascending (binary order) and joined with `separator` (a SQL string literal, e.g. "', '"); null for a
  group without values. dbt.listagg ignores the order on Spark, so the order is made explicit there.
#}
{% macro sorted_string_agg(expr, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'semibench')(expr, separator)) }}
{%- endmacro %}
{% macro default__sorted_string_agg(expr, separator) -%}
    {{ dbt.listagg(expr, separator, 'order by ' ~ expr) }}
{%- endmacro %}
{% macro spark__sorted_string_agg(expr, separator) -%}
    nullif(concat_ws({{ separator }}, array_sort(collect_list({{ expr }}))), '')
{%- endmacro %}

{#
  unnest_json_array(relation, json_column, fields, columns, element='element', ordinal='ordinal'):
  a SELECT with one row per element of the JSON array of objects in `json_column` of `relation`:
  `columns` of the relation (list of names), the element as a struct named `element` with the
  `fields` (dict name -> 'varchar' | 'double' | 'bigint'), and its 1-based position `ordinal`.
  Rows whose array is null or empty produce no rows.
#}
{% macro unnest_json_array(relation, json_column, fields, columns, element='element', ordinal='ordinal') -%}
    {{ return(adapter.dispatch('unnest_json_array', 'semibench')(relation, json_column, fields, columns, element, ordinal)) }}
{%- endmacro %}
{% macro default__unnest_json_array(relation, json_column, fields, columns, element, ordinal) -%}
    {%- set parts = [] -%}
    {%- for name, type in fields.items() -%}
        {%- do parts.append('"' ~ name ~ '": "' ~ (type | upper) ~ '"') -%}
    {%- endfor -%}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        unnest(from_json({{ json_column }}, '[{{ '{' ~ parts | join(', ') ~ '}' }}]')) as {{ element }},
        generate_subscripts(from_json({{ json_column }}, '["JSON"]'), 1) as {{ ordinal }}
    from {{ relation }}
{%- endmacro %}
{% macro spark__unnest_json_array(relation, json_column, fields, columns, element, ordinal) -%}
    {%- set types = {'varchar': 'string', 'double': 'double', 'bigint': 'bigint'} -%}
    {%- set parts = [] -%}
    {%- for name, type in fields.items() -%}
        {%- do parts.append('`' ~ name ~ '`: ' ~ types[type | lower]) -%}
    {%- endfor -%}
    select
        {%- for column in columns %}
        unnest_source.{{ column }},
        {%- endfor %}
        exploded.{{ element }},
        cast(exploded.position + 1 as bigint) as {{ ordinal }}
    from {{ relation }} as unnest_source
    lateral view posexplode(from_json(unnest_source.{{ json_column }}, 'array<struct<{{ parts | join(', ') }}>>')) exploded as position, {{ element }}
{%- endmacro %}

{#
  try_double_to_int(expr): a double rounded to the nearest integer (ties to even, DuckDB's cast) as an
  int, null when out of range or not a number. Spark's cast truncates, so it rounds with bround first.
#}
{% macro try_double_to_int(expr) -%}
    {{ return(adapter.dispatch('try_double_to_int', 'semibench')(expr)) }}
{%- endmacro %}
{% macro default__try_double_to_int(expr) -%}
    {{ semibench.try_cast(expr, dbt.type_int()) }}
{%- endmacro %}
{% macro spark__try_double_to_int(expr) -%}
    try_cast(bround({{ expr }}, 0) as int)
{%- endmacro %}
