{#
  run_shape_select(columns): the select list of a run-shaped model (int_runs__*, which the lead unions into
  fct_runs): every column of the shared shape, in order, cast to its type. `columns` maps column name ->
  SQL expression; a column not given is null. Keeping the shape in ONE place guarantees the sources
  union column-for-column.
#}

{% macro run_shape_columns() -%}
    {#- portable type names: dbt.type_string() is VARCHAR (TEXT) on DuckDB, string on Spark (no unbounded varchar there) -#}
    {%- set double = semibench.type_double() -%}
    {%- set varchar = dbt.type_string() -%}
    {%- set cols = [
        ('run_id', varchar), ('source', varchar), ('source_file', varchar), ('model', varchar),
        ('model_slug', varchar), ('backend', varchar), ('hw_key', varchar), ('precision', varchar),
        ('tp', 'integer'), ('num_gpus', 'integer'), ('isl', 'integer'), ('osl', 'integer'),
        ('request_rate', double), ('burstiness', double), ('max_concurrency', 'integer'),
        ('started_at', 'timestamp'), ('duration_s', double), ('num_requests', 'bigint'), ('completed', 'bigint'),
        ('failed', 'bigint'), ('error_rate', double), ('total_input_tokens', 'bigint'),
        ('total_output_tokens', 'bigint'), ('request_throughput', double), ('request_goodput', double),
        ('output_throughput', double), ('total_token_throughput', double), ('output_throughput_per_gpu', double),
        ('total_token_throughput_per_gpu', double),
    ] -%}
    {%- for metric in semibench.run_latency_metrics() -%}
        {%- for stat in semibench.run_shape_latency_stats() -%}
            {%- do cols.append((stat ~ '_' ~ metric ~ '_ms', double)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do cols.append(('median_interactivity', double)) -%}
    {#- how the run ended, and whether it measured a simulator (own-run marts leave those out) -#}
    {%- do cols.append(('status', varchar)) -%}
    {%- do cols.append(('is_simulated', 'boolean')) -%}
    {{ return(cols) }}
{%- endmacro %}

{% macro run_shape_select(columns) -%}
    {%- set known = semibench.run_shape_columns() | map('first') | list -%}
    {%- for name in columns if name not in known -%}
        {{ exceptions.raise_compiler_error("run_shape_select: '" ~ name ~ "' is not a column of the run shape") }}
    {%- endfor -%}
    {%- for name, type in semibench.run_shape_columns() %}
    cast({{ columns.get(name, 'null') }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
