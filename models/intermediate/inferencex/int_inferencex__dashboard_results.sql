{#
  The October-2025 dashboard points (every snapshot, interactivity and e2e joined on the six-key) mapped onto
  InferenceX configs. model from the file's model slug (seed inferencex_dashboard_models); (hardware,
  framework, spec_method, disagg) from the legacy hwKey seed for that model and the point's date; tp, and
  ep / dp_attention / mtp / disagg where the file carries them, are the parallelism. A bare key has no
  ep / dp_attention: those stay null here and hash as '?', so a dashboard config never pretends to be an
  API config it may not be. A hwKey the seed does not map for that model and date keeps a null config_key
  with config_problems: it is listed in mart_inferencex__unmapped_results, never dropped.
  result_date is the point's own date, else the snapshot's capture date (the files carry no date).
  Dashboard points carry interactivity (x), e2e latency and throughput per GPU; no measured power.
#}

with points as (

    select
        points.*,
        snapshots.is_partial,
        coalesce(
            {{ semibench.try_cast('points.point_date', 'date') }},
            cast(snapshots.first_fetched_at as date)
        ) as result_date
    from {{ ref('int_inferencemax__points_joined_history') }} as points
    inner join {{ ref('stg_inferencemax__snapshots') }} as snapshots
        on points.snapshot_id = snapshots.snapshot_id

),

mapped as (

    select
        points.*,
        models.model_key,
        legacy.hardware,
        gpus.vendor,
        -- a point's own framework field (newer files carry one) wins over what the bare hwKey implied
        coalesce(fw.framework, legacy.framework) as framework_key,
        case when points.mtp then 'mtp' else legacy.spec_method end as spec_method,
        coalesce(points.disagg, legacy.disagg) as disagg_key
    from points
    left join {{ ref('inferencex_dashboard_models') }} as models
        on points.model_slug = models.model_slug
    left join {{ ref('inferencex_legacy_hw_keys') }} as legacy
        on points.hw_key_raw = legacy.hw_key
        and models.model_key = legacy.model_key
        and points.result_date >= legacy.valid_from
        and (legacy.valid_to is null or points.result_date <= legacy.valid_to)
    left join {{ ref('inferencex_gpus') }} as gpus
        on legacy.hardware = gpus.gpu_key
    left join {{ ref('inferencex_frameworks') }} as fw
        on lower(trim(points.framework)) = fw.framework_raw

),

checked as (

    select
        mapped.*,
        nullif(concat_ws('; ',
            case when model_key is null then concat('unknown dashboard model ''', model_slug, '''') end,
            case when model_key is not null and hardware is null
                then concat('hwKey ''', hw_key_raw, ''' not mapped for model ''', model_key, ''' on ',
                            {{ dbt.cast('result_date', dbt.type_string()) }}, ' (seed inferencex_legacy_hw_keys)') end,
            case when tp is null then 'tp missing' end
        ), '') as config_problems
    from mapped

)

select
    point_key,
    snapshot_id,
    is_partial,
    case when config_problems is null then {{ semibench.inferencex_config_key({
        'model': 'model_key', 'framework': 'framework_key', 'disagg': 'disagg_key', 'is_multinode': "'?'",
        'prefill_tp': 'tp', 'prefill_ep': "coalesce(" ~ dbt.cast('ep', dbt.type_string()) ~ ", '?')",
        'prefill_dp_attention': "coalesce(" ~ dbt.cast('dp_attention', dbt.type_string()) ~ ", '?')",
        'prefill_num_workers': "'?'",
        'decode_tp': 'tp', 'decode_ep': "coalesce(" ~ dbt.cast('ep', dbt.type_string()) ~ ", '?')",
        'decode_dp_attention': "coalesce(" ~ dbt.cast('dp_attention', dbt.type_string()) ~ ", '?')",
        'decode_num_workers': "'?'", 'num_prefill_gpu': "'?'", 'num_decode_gpu': 'tp'}) }} end as config_key,
    config_problems,
    hardware,
    framework_key as framework,
    model_key as model,
    precision,
    spec_method,
    disagg_key as disagg,
    {{ dbt.cast('null', dbt.type_boolean()) }} as is_multinode,
    tp as prefill_tp,
    ep as prefill_ep,
    dp_attention as prefill_dp_attention,
    {{ dbt.cast('null', dbt.type_int()) }} as prefill_num_workers,
    tp as decode_tp,
    ep as decode_ep,
    dp_attention as decode_dp_attention,
    {{ dbt.cast('null', dbt.type_int()) }} as decode_num_workers,
    {{ dbt.cast('null', dbt.type_int()) }} as num_prefill_gpu,
    -- the dashboard's tp counts every GPU of the point (prefill + decode for disaggregated runs)
    tp as num_decode_gpu,
    tp as num_gpus,
    vendor,
    hw_key_raw,
    model_slug,
    sequence_slug,
    isl,
    osl,
    conc,
    result_date,
    run_url,
    coalesce(tput_per_gpu, interactivity_y, e2e_y) as tput_per_gpu,
    output_tput_per_gpu,
    input_tput_per_gpu,
    {%- for m in semibench.inferencex_latency_metrics() %}
    {%- if m == 'median_e2el' %}
    coalesce(median_e2el, e2e_x) as median_e2el,
    {%- elif m.startswith('p90_') %}
    {{ dbt.cast('null', semibench.type_double()) }} as {{ m }},
    {%- else %}
    {{ m }},
    {%- endif %}
    {%- endfor %}
    mean_intvty,
    coalesce(median_intvty, interactivity_x) as median_intvty,
    {{ dbt.cast('null', semibench.type_double()) }} as p90_intvty,
    p99_intvty,
    tp_per_mw as site_tput_per_mw,
    cost_hyperscaler as site_cost_hyperscaler,
    cost_neocloud as site_cost_neocloud,
    cost_rental as site_cost_rental
from checked
