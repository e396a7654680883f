{#
  One row per landed InferenceMAX run aggregate (record_kind = 'inferencemax_agg', an element of an
  agg_bmk.json): typed, latencies converted from seconds (as InferenceMAX saves them) to milliseconds,
  the hardware key mapped through hardware_key_aliases and the HF model id to the catalog's slug.
  Lives beside the vLLM staging models because it reads the same raw table.
#}

{%- set double = semibench.type_double() -%}
{%- set int = dbt.type_int() -%}
{%- set latency_fields = semibench.run_latency_fields() -%}
{#- std_intvty is left out on purpose: InferenceMAX computes it as 1000 / std_tpot_ms, which is not a
    spread of interactivity -#}
{%- set intvty_fields = ['mean_intvty', 'median_intvty', 'p90_intvty', 'p99_intvty'] -%}
{%- set int_fields = ['tp', 'ep', 'conc', 'isl', 'osl', 'prefill_tp', 'prefill_ep', 'prefill_num_workers',
                      'decode_tp', 'decode_ep', 'decode_num_workers', 'num_prefill_gpu', 'num_decode_gpu'] -%}
{%- set text_fields = ['hw', 'framework', 'model', 'precision', 'infmax_model_prefix', 'image', 'spec_decoding',
                       'dp_attention', 'disagg', 'is_multinode'] -%}
{%- set number_fields = ['tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu'] -%}
{%- set spec = {} -%}
{%- for f in int_fields + text_fields + number_fields + latency_fields + intvty_fields -%}
    {%- do spec.update({f: 'varchar'}) -%}
{%- endfor -%}

with source as (

    select * from {{ source('vllm_results', 'vllm_results') }}
    where record_kind = 'inferencemax_agg'
      -- quarantined records (ingest found problems) are in the family's quarantine model, never here
      and quarantine_reasons is null

),

parsed as (

    select
        record_sha256,
        batch_id,
        source_file,
        source_format,
        source_locator,
        loaded_at,
        {{ semibench.json_struct('record', spec) }} as j
    from source

),

typed as (

    select
        'imx:' || left(record_sha256, 16) as run_id,
        record_sha256,
        batch_id,
        source_file,
        source_format,
        source_locator,
        loaded_at,
        j.hw as hw,
        j.framework as framework,
        j.model as model,
        j.infmax_model_prefix as infmax_model_prefix,
        j.image as image,
        j.precision as precision,
        j.spec_decoding as spec_decoding,
        {{ semibench.text_to_boolean('j.dp_attention') }} as dp_attention,
        {{ semibench.text_to_boolean('j.disagg') }} as disagg_reported,
        {{ semibench.text_to_boolean('j.is_multinode') }} as is_multinode,
        {%- for f in int_fields %}
        {{ semibench.try_cast('j.' ~ f, int) }} as {{ f }},
        {%- endfor %}
        {%- for f in number_fields %}
        {{ semibench.try_cast('j.' ~ f, double) }} as {{ f }},
        {%- endfor %}
        {%- for f in latency_fields %}
        {{ semibench.try_cast('j.' ~ f, double) }} * 1000 as {{ f }}_ms,
        {%- endfor %}
        {%- for f in intvty_fields %}
        {{ semibench.try_cast('j.' ~ f, double) }} as {{ f }}{{ ',' if not loop.last }}
        {%- endfor %}
    from parsed

)

select
    typed.*,
    -- prefill + decode GPUs for a disaggregated run, else the tp GPUs (process_result.py divides by the same)
    coalesce(disagg_reported, num_prefill_gpu is not null and num_decode_gpu is not null) as is_disaggregated,
    case when num_prefill_gpu is not null and num_decode_gpu is not null then num_prefill_gpu + num_decode_gpu
         else tp end as num_gpus,
    coalesce(aliases.hw_key, typed.hw) as hw_key,
    catalog.model_slug
from typed
left join {{ ref('hardware_key_aliases') }} as aliases
    on typed.hw = aliases.old_hw_key
left join {{ ref('model_catalog') }} as catalog
    on lower(typed.model) = lower(catalog.hf_id)
