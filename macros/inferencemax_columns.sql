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
