{#
  Helpers of the unified InferenceMAX/InferenceX model (models/intermediate|marts/inferencex).

  inferencex_config_key(cols): config_key exactly as staging computes it (base_inferencex__config_records):
  a hash of the 17 key fields joined by '|'. `cols` maps a field name to a SQL expression (default: the
  column of that name), so run artifacts and dashboard points hash to the same key as the API's configs.

  inferencex_result_metrics(): the metrics every InferenceMAX source can carry, the grain of
  fct_inferencemax_results. inferencex_fingerprint_metrics(): those both `benchmarks` and
  `benchmarks/history` keep (history drops mean_/std_), so a value compared across the two routes is one
  both hold.
#}

{% macro inferencex_key_fields() -%}
    {{ return(['hardware', 'framework', 'model', 'precision', 'spec_method', 'disagg', 'is_multinode',
               'prefill_tp', 'prefill_ep', 'prefill_dp_attention', 'prefill_num_workers', 'decode_tp',
               'decode_ep', 'decode_dp_attention', 'decode_num_workers', 'num_prefill_gpu', 'num_decode_gpu']) }}
{%- endmacro %}

{% macro inferencex_config_key(cols={}) -%}
    {%- set parts = [] -%}
    {%- for f in semibench.inferencex_key_fields() -%}
        {%- set expr = cols.get(f, f) -%}
        {%- if f in ['hardware', 'framework', 'model', 'precision', 'spec_method'] -%}
            {%- do parts.append(expr) -%}
        {%- else -%}
            {%- do parts.append(dbt.cast(expr, dbt.type_string())) -%}
        {%- endif -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro inferencex_result_metrics() -%}
    {%- set metrics = ['tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu'] -%}
    {%- for m in ['ttft', 'tpot', 'itl', 'e2el'] -%}
        {%- for s in ['mean', 'median', 'p90', 'p99'] -%}
            {%- do metrics.append(s ~ '_' ~ m) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for s in ['mean', 'median', 'p90', 'p99'] -%}
        {%- do metrics.append(s ~ '_intvty') -%}
    {%- endfor -%}
    {%- do metrics.extend(['avg_power_w', 'joules_per_output_token', 'joules_per_total_token']) -%}
    {{ return(metrics) }}
{%- endmacro %}

{% macro inferencex_latency_metrics() -%}
    {%- set metrics = [] -%}
    {%- for m in ['ttft', 'tpot', 'itl', 'e2el'] -%}
        {%- for s in ['mean', 'median', 'p90', 'p99'] -%}
            {%- do metrics.append(s ~ '_' ~ m) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{% macro inferencex_fingerprint_metrics() -%}
    {%- set metrics = ['tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu', 'avg_power_w',
                       'joules_per_output_token', 'joules_per_total_token'] -%}
    {%- for m in ['ttft', 'tpot', 'itl', 'e2el', 'intvty'] -%}
        {%- for s in ['median', 'p90', 'p99', 'p99_9'] -%}
            {%- do metrics.append(s ~ '_' ~ m) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{#
  The InferenceX models are DuckDB-only for now (dbt_project.yml: their JSON-parsing staging views are
  re-parsed by every test on Spark). Models every engine builds (mart_model_overview, the runs placement)
  read them through these relations: the real model on DuckDB, an empty relation of the same columns on
  Spark, so those marts keep one shape on both engines and their inferencex/ix columns are null on Spark.
#}
{% macro inferencex_models_enabled() -%}
    {{ return(target.type != 'spark') }}
{%- endmacro %}

{% macro inferencex_latest_results_relation() -%}
    {%- if semibench.inferencex_models_enabled() -%}
    select model, config_key, result_key, result_date, isl, osl, tput_per_gpu, hardware, framework,
        spec_method, disagg
    from {{ ref('mart_inferencemax__latest_results') }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as model,
        cast(null as {{ dbt.type_string() }}) as config_key,
        cast(null as {{ dbt.type_string() }}) as result_key,
        cast(null as date) as result_date,
        cast(null as {{ dbt.type_int() }}) as isl,
        cast(null as {{ dbt.type_int() }}) as osl,
        cast(null as {{ dbt.type_float() }}) as tput_per_gpu,
        cast(null as {{ dbt.type_string() }}) as hardware,
        cast(null as {{ dbt.type_string() }}) as framework,
        cast(null as {{ dbt.type_string() }}) as spec_method,
        cast(null as {{ dbt.type_boolean() }}) as disagg
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{% macro inferencex_config_frontier_relation() -%}
    {%- if semibench.inferencex_models_enabled() -%}
    select series_key, series_label, model as model_key, isl, osl, point_key, interactivity_x, interactivity_y,
        result_date
    from {{ ref('mart_inferencex__config_frontier') }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as series_key,
        cast(null as {{ dbt.type_string() }}) as series_label,
        cast(null as {{ dbt.type_string() }}) as model_key,
        cast(null as {{ dbt.type_int() }}) as isl,
        cast(null as {{ dbt.type_int() }}) as osl,
        cast(null as {{ dbt.type_string() }}) as point_key,
        cast(null as {{ dbt.type_float() }}) as interactivity_x,
        cast(null as {{ dbt.type_float() }}) as interactivity_y,
        cast(null as date) as result_date
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#
  The fields of the benchmark-bearing InferenceX records that staging reads, parsed ONCE per record into
  base_inferencex__parsed_records (incremental): column name -> JSON path. Adding a field changes
  inferencex_parse_spec_version(), so every stored row is parsed again on the next build.
#}
{% macro inferencex_parsed_fields() -%}
    {%- set fields = {} -%}
    {%- for f in ['id', 'hardware', 'framework', 'model', 'precision', 'spec_method', 'disagg', 'is_multinode',
                  'prefill_tp', 'prefill_ep', 'prefill_dp_attention', 'prefill_num_workers', 'decode_tp',
                  'decode_ep', 'decode_dp_attention', 'decode_num_workers', 'num_prefill_gpu', 'num_decode_gpu',
                  'isl', 'osl', 'conc', 'date', 'run_url', 'image', 'benchmark_type', 'error', 'config_id',
                  'workflow_run_id', 'github_run_id', 'run_attempt', 'html_url'] -%}
        {%- do fields.update({'j_' ~ f: '$.' ~ f}) -%}
    {%- endfor -%}
    {%- for m in semibench.inferencex_parsed_metrics() -%}
        {%- do fields.update({'jm_' ~ (m | replace('.', '_')): '$.metrics."' ~ m ~ '"'}) -%}
    {%- endfor -%}
    {{ return(fields) }}
{%- endmacro %}

{% macro inferencex_parsed_metrics() -%}
    {%- set metrics = ['tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu', 'avg_power_w', 'prefill_avg_power_w',
                       'decode_avg_power_w', 'avg_util_pct', 'avg_mem_used_mb', 'joules_per_output_token',
                       'joules_per_input_token', 'joules_per_total_token'] -%}
    {%- for m in ['ttft', 'tpot', 'itl', 'e2el', 'intvty'] -%}
        {%- for s in ['mean', 'median', 'p90', 'p99', 'p99.9', 'std'] -%}
            {%- do metrics.append(s ~ '_' ~ m) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{% macro inferencex_parse_spec_version() -%}
    {{ return(local_md5(semibench.inferencex_parsed_fields() | tojson)[:12]) }}
{%- endmacro %}
