{#
  The landed agg_bmk.json run aggregates (stg_inferencemax__agg_runs) mapped onto InferenceX's 17-field
  config, as its ETL does (shared README section 5): `hw` is a raw hardware string (runner suffixes
  removed by the same seeds as the API's), `spec_decoding` is spec_method, `infmax_model_prefix` names the
  model (else the model path); single-node runs carry tp/ep/dp_attention = both prefill_* and decode_*,
  0 workers, tp GPUs on each side; disaggregated runs carry the prefill_*/decode_* fields themselves.
  The GitHub run id comes from the artifact's directory (run_<id>/agg_bmk.json); the artifact has no
  attempt and no date, so both are taken from the InferenceX workflow runs / API results of that run id
  where they are known. A value the seeds do not know leaves config_key null with config_problems set:
  the row still lands (mart_inferencex__unmapped_results).
#}
{%- set double = semibench.type_double() -%}

with agg as (

    select * from {{ ref('stg_inferencemax__agg_runs') }}

),

-- the fields stg_inferencemax__agg_runs does not type (per-side dp_attention of disaggregated runs)
raw_sides as (

    select
        record_sha256,
        {{ semibench.text_to_boolean(semibench.json_text('record', '$.prefill_dp_attention')) }} as prefill_dp_attention,
        {{ semibench.text_to_boolean(semibench.json_text('record', '$.decode_dp_attention')) }} as decode_dp_attention
    from {{ source('vllm_results', 'vllm_results') }}
    where record_kind = 'inferencemax_agg'

),

spellings as (

    select
        gpus.gpu_key,
        gpus.vendor,
        concat(gpus.gpu_key, coalesce(suffixes.suffix, '')) as spelled
    from {{ ref('inferencex_gpus') }} as gpus
    cross join {{ ref('inferencex_hardware_suffixes') }} as suffixes

),

normalised as (

    select
        agg.*,
        lower(trim(agg.hw)) as hardware_raw,
        lower(trim(agg.framework)) as framework_raw,
        lower(trim(coalesce(agg.infmax_model_prefix, agg.model))) as model_raw,
        spellings.gpu_key as hardware,
        spellings.vendor,
        fw.framework as framework_key,
        coalesce(prefix_alias.model_key, path_alias.model_key) as model_key,
        lower(trim(agg.precision)) as precision_key,
        coalesce(nullif(lower(trim(agg.spec_decoding)), ''), 'none') as spec_method,
        coalesce(fw.forces_disagg, false) or coalesce(agg.disagg_reported, false)
            or (agg.num_prefill_gpu is not null and agg.num_decode_gpu is not null) as disagg,
        coalesce(agg.is_multinode, false) as is_multinode_key,
        nullif(regexp_extract(agg.source_file, 'run_([0-9]+)', 1), '') as github_run_id,
        raw_sides.prefill_dp_attention as side_prefill_dp_attention,
        raw_sides.decode_dp_attention as side_decode_dp_attention
    from agg
    left join raw_sides
        on agg.record_sha256 = raw_sides.record_sha256
    left join spellings
        on regexp_replace(lower(trim(agg.hw)), '_[0-9]+$', '') = spellings.spelled
    left join {{ ref('inferencex_frameworks') }} as fw
        on lower(trim(agg.framework)) = fw.framework_raw
    left join {{ ref('inferencex_model_aliases') }} as prefix_alias
        on lower(trim(agg.infmax_model_prefix)) = prefix_alias.alias
    left join {{ ref('inferencex_model_aliases') }} as path_alias
        on lower(trim(agg.model)) = path_alias.alias

),

keyed as (

    select
        normalised.*,
        coalesce(prefill_tp, tp) as prefill_tp_key,
        coalesce(prefill_ep, ep) as prefill_ep_key,
        case when disagg then side_prefill_dp_attention else dp_attention end as prefill_dp_attention_key,
        coalesce(prefill_num_workers, 0) as prefill_num_workers_key,
        coalesce(decode_tp, tp) as decode_tp_key,
        coalesce(decode_ep, ep) as decode_ep_key,
        case when disagg then side_decode_dp_attention else dp_attention end as decode_dp_attention_key,
        coalesce(decode_num_workers, 0) as decode_num_workers_key,
        coalesce(num_prefill_gpu, tp) as num_prefill_gpu_key,
        coalesce(num_decode_gpu, tp) as num_decode_gpu_key
    from normalised

),

checked as (

    select
        keyed.*,
        nullif(concat_ws('; ',
            case when hardware is null then concat('unknown hardware ''', coalesce(hardware_raw, ''), '''') end,
            case when framework_key is null then concat('unknown framework ''', coalesce(framework_raw, ''), '''') end,
            case when model_key is null then concat('unknown model ''', coalesce(model_raw, ''), '''') end,
            case when precision_key is null or precision_key = '' then 'precision missing' end,
            case when prefill_tp_key is null or decode_tp_key is null then 'tp missing' end,
            case when prefill_ep_key is null or decode_ep_key is null then 'ep missing' end,
            case when prefill_dp_attention_key is null or decode_dp_attention_key is null
                then 'dp_attention missing or not a boolean' end,
            case when github_run_id is null then 'no run_<id> directory in the source path' end
        ), '') as config_problems
    from keyed

),

-- the run's date and attempt as InferenceX knows them: its workflow runs, else the API results of the run
run_dates as (

    select
        github_run_id,
        max(run_date) as run_date,
        max(run_attempt) as run_attempt
    from {{ ref('stg_inferencex__workflow_runs') }}
    group by github_run_id

),

api_run_dates as (

    select
        github_run_id,
        min(result_date) as run_date,
        max(run_attempt) as run_attempt
    from {{ ref('stg_inferencex__benchmark_results') }}
    where github_run_id is not null
    group by github_run_id

)

select
    checked.run_id as agg_run_id,
    checked.record_sha256,
    checked.batch_id,
    checked.source_file,
    checked.source_locator,
    checked.loaded_at,
    case when config_problems is null then {{ semibench.inferencex_config_key({
        'framework': 'framework_key', 'model': 'model_key', 'precision': 'precision_key',
        'is_multinode': 'is_multinode_key',
        'prefill_tp': 'prefill_tp_key', 'prefill_ep': 'prefill_ep_key',
        'prefill_dp_attention': 'prefill_dp_attention_key', 'prefill_num_workers': 'prefill_num_workers_key',
        'decode_tp': 'decode_tp_key', 'decode_ep': 'decode_ep_key',
        'decode_dp_attention': 'decode_dp_attention_key', 'decode_num_workers': 'decode_num_workers_key',
        'num_prefill_gpu': 'num_prefill_gpu_key', 'num_decode_gpu': 'num_decode_gpu_key'}) }} end as config_key,
    config_problems,
    hardware,
    framework_key as framework,
    model_key as model,
    precision_key as precision,
    spec_method,
    disagg,
    is_multinode_key as is_multinode,
    prefill_tp_key as prefill_tp,
    prefill_ep_key as prefill_ep,
    prefill_dp_attention_key as prefill_dp_attention,
    prefill_num_workers_key as prefill_num_workers,
    decode_tp_key as decode_tp,
    decode_ep_key as decode_ep,
    decode_dp_attention_key as decode_dp_attention,
    decode_num_workers_key as decode_num_workers,
    num_prefill_gpu_key as num_prefill_gpu,
    num_decode_gpu_key as num_decode_gpu,
    vendor,
    hardware_raw,
    framework_raw,
    model_raw,
    isl,
    osl,
    conc,
    checked.github_run_id,
    coalesce(run_dates.run_attempt, api_run_dates.run_attempt) as run_attempt,
    coalesce(run_dates.run_date, api_run_dates.run_date) as result_date,
    image,
    tput_per_gpu,
    output_tput_per_gpu,
    input_tput_per_gpu,
    {%- for m in semibench.inferencex_latency_metrics() %}
    {{ m }}_ms / 1000 as {{ m }},
    {%- endfor %}
    mean_intvty,
    median_intvty,
    p90_intvty,
    p99_intvty
from checked
left join run_dates
    on checked.github_run_id = run_dates.github_run_id
left join api_run_dates
    on checked.github_run_id = api_run_dates.github_run_id
