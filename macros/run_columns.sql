{#
  The run shape: every model unioned into fct_runs (int_runs__loadgen, and int_runs__vllm_bench /
  int_runs__inferencemax_agg when they land) provides exactly these columns, and fct_runs selects them in
  this order with these types (its contract enforces the result). (name, SQL type) pairs.
#}
{% macro run_columns() -%}
    {%- set columns = [
        ('run_id', 'varchar'), ('source', 'varchar'), ('source_file', 'varchar'), ('model', 'varchar'),
        ('model_slug', 'varchar'), ('backend', 'varchar'), ('hw_key', 'varchar'), ('precision', 'varchar'),
        ('tp', 'integer'), ('num_gpus', 'integer'), ('isl', 'integer'), ('osl', 'integer'),
        ('request_rate', 'double'), ('burstiness', 'double'), ('max_concurrency', 'integer'),
        ('started_at', 'timestamp'), ('duration_s', 'double'), ('num_requests', 'bigint'),
        ('completed', 'bigint'), ('failed', 'bigint'), ('error_rate', 'double'),
        ('total_input_tokens', 'bigint'), ('total_output_tokens', 'bigint'),
        ('request_throughput', 'double'), ('request_goodput', 'double'), ('output_throughput', 'double'),
        ('total_token_throughput', 'double'), ('output_throughput_per_gpu', 'double'),
        ('total_token_throughput_per_gpu', 'double'),
    ] -%}
    {%- for metric in ['ttft', 'tpot', 'itl', 'e2el'] -%}
        {%- for stat in ['mean', 'median', 'p90', 'p99'] -%}
            {%- do columns.append((stat ~ '_' ~ metric ~ '_ms', 'double')) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do columns.append(('median_interactivity', 'double')) -%}
    {{ return(columns) }}
{%- endmacro %}
