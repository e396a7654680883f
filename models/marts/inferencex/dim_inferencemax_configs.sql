{#
  The config dimension of the unified InferenceMAX/InferenceX model: one row per config_key (InferenceX's
  17-field natural key, hashed as staging does), from the API/dump configs, the agg_bmk.json run artifacts
  and the October-2025 dashboard points. Dashboard configs know only what a bare hwKey and tp say: their
  ep / dp_attention / workers are null (hashed as '?'), so they never merge into an API config by guess.
  num_gpus: prefill + decode GPUs when disaggregated, else the decode side's (= tp for a single node, as
  the sources count it). Display names and vendor come from the seeds.
#}
{%- set fields = semibench.inferencex_key_fields() -%}

with seen as (

    select
        {%- for f in fields %}
        {{ f }},
        {%- endfor %}
        config_key,
        'api' as source_family
    from {{ ref('stg_inferencex__configs') }}

    union all

    select distinct
        {%- for f in fields %}
        {{ f }},
        {%- endfor %}
        config_key,
        'agg_bmk' as source_family
    from {{ ref('int_inferencex__agg_results') }}
    where config_key is not null

    union all

    select distinct
        {%- for f in fields %}
        {{ f }},
        {%- endfor %}
        config_key,
        'dashboard' as source_family
    from {{ ref('int_inferencex__dashboard_results') }}
    where config_key is not null

),

configs as (

    select
        config_key,
        {%- for f in fields %}
        {%- if f in ['disagg', 'is_multinode', 'prefill_dp_attention', 'decode_dp_attention'] %}
        {{ dbt.bool_or(f) }} as {{ f }},
        {%- else %}
        max({{ f }}) as {{ f }},
        {%- endif %}
        {%- endfor %}
        {{ dbt.bool_or("source_family = 'api'") }} as seen_in_api,
        {{ dbt.bool_or("source_family = 'agg_bmk'") }} as seen_in_agg_bmk,
        {{ dbt.bool_or("source_family = 'dashboard'") }} as seen_in_dashboard
    from seen
    group by config_key

)

select
    configs.config_key,
    configs.model,
    models.display_name as model_display_name,
    gpus.vendor,
    configs.hardware,
    configs.framework,
    configs.precision,
    configs.spec_method,
    configs.disagg,
    configs.is_multinode,
    configs.prefill_tp,
    configs.prefill_ep,
    configs.prefill_dp_attention,
    configs.prefill_num_workers,
    configs.decode_tp,
    configs.decode_ep,
    configs.decode_dp_attention,
    configs.decode_num_workers,
    configs.num_prefill_gpu,
    configs.num_decode_gpu,
    case when configs.disagg and configs.num_prefill_gpu is not null
        then configs.num_prefill_gpu + configs.num_decode_gpu else configs.num_decode_gpu end as num_gpus,
    -- the site's series key: first '-' segment of hardware + '_' + framework (+ '_' + spec_method)
    concat(configs.hardware, '_', configs.framework,
           case when configs.spec_method <> 'none' then concat('_', configs.spec_method) else '' end) as hw_key,
    configs.seen_in_api,
    configs.seen_in_agg_bmk,
    configs.seen_in_dashboard,
    not configs.seen_in_api and not configs.seen_in_agg_bmk as is_legacy_only
from configs
left join {{ ref('inferencex_models') }} as models
    on configs.model = models.model_key
left join {{ ref('inferencex_gpus') }} as gpus
    on configs.hardware = gpus.gpu_key
