{#
  Column lists of the typed InferenceMAX point, shared by the intermediate models so the split and the
  join stay in step with the staging base model.
#}

{# per-point metrics with a dashboard `roof` flag (nested {y, roof} objects of the point) #}
{% macro inferencemax_roofed_metrics() -%}
    {{ return([
        'tp_per_gpu', 'tp_per_mw',
        'cost_hyperscaler', 'cost_neocloud', 'cost_rental',
        'cost_hyperscaler_input', 'cost_neocloud_input', 'cost_rental_input',
    ]) }}
{%- endmacro %}

{# optional run fields from InferenceMAX's result aggregation (latencies in seconds) #}
{% macro inferencemax_run_fields() -%}
    {%- set fields = ['hw', 'framework', 'ep', 'dp_attention', 'mtp', 'disagg',
                      'tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu'] -%}
    {%- for metric in ['ttft', 'tpot', 'itl', 'e2el', 'intvty'] -%}
        {%- for stat in ['mean', 'median', 'p99', 'std'] -%}
            {%- do fields.append(stat ~ '_' ~ metric) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do fields.append('run_url') -%}
    {{ return(fields) }}
{%- endmacro %}

{# the benchmark-run key shared by an interactivity point and its e2e twin (within one snapshot) #}
{% macro inferencemax_point_key_columns() -%}
    {{ return(['model_slug', 'sequence_slug', 'hw_key', 'precision', 'tp', 'conc', 'point_date']) }}
{%- endmacro %}

{# rollup column name for the throughput per GPU at one interactivity target: 20 -> tput_per_gpu_at_20_tps_user,
   12.5 -> tput_per_gpu_at_12_5_tps_user #}
{% macro tput_at_target_column(target) -%}
    {{- 'tput_per_gpu_at_' ~ ((target | string) | replace('.', '_')) ~ '_tps_user' -}}
{%- endmacro %}

{# One side of the interactivity / e2e split: the valid points of one data type with x/y renamed
   <data_type>_x / <data_type>_y. Both split models call this so their columns cannot drift apart. #}
{% macro inferencemax_points_of_type(data_type) -%}
select
    point_id,
    snapshot_id,
    source_file,
    record_index,
    model_slug,
    sequence_slug,
    isl,
    osl,
    hw_key,
    hw_key_raw,
    precision,
    tp,
    conc,
    point_date,
    x as {{ data_type }}_x,
    y as {{ data_type }}_y,
    {%- for metric in semibench.inferencemax_roofed_metrics() %}
    {{ metric }},
    {{ metric }}_roof,
    {%- endfor %}
    {%- for field in semibench.inferencemax_run_fields() %}
    {{ field }},
    {%- endfor %}
    fetched_at
from {{ ref('stg_inferencemax__points') }}
where data_type = '{{ data_type }}'
{%- endmacro %}
