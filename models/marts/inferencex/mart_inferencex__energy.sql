{#
  Energy (and the site's cost figures) per latest result (mart_inferencemax__latest_results).
  MEASURED, only where is_power_valid (fct_inferencemax_results): joules per output / total token as the
  source reports them, else avg_power_w / tok/s per GPU (W per GPU / tok/s per GPU = J per token), and
  total tokens/s per MW = tput_per_gpu * 1e6 / avg_power_w. Null where power was not measured or not valid.
  SITE-STYLE, from the effective-dated constants seed inferencex_gpu_cost_power (the site computes these in
  the browser from per-GPU constants that change between versions): tok/s per MW = tput_per_gpu * 1000 /
  all-in kW, J/token = kW * 1000 / tput_per_gpu, $ per million total tokens = $/GPU-hour / (tput_per_gpu *
  3600 / 1e6) per tier. A constant applies to results dated effective_from <= date < effective_to; none
  known (b300, gb300, a date before any row) = null, never a guess. The constant's source is carried.
#}

with results as (

    select * from {{ ref('mart_inferencemax__latest_results') }}

),

constants as (

    select
        results.result_key,
        max(case when seed.constant = 'all_in_kw' then seed.value end) as all_in_kw,
        max(case when seed.constant = 'usd_per_gpu_hour_hyperscaler' then seed.value end) as usd_per_gpu_hour_hyperscaler,
        max(case when seed.constant = 'usd_per_gpu_hour_neocloud' then seed.value end) as usd_per_gpu_hour_neocloud,
        max(case when seed.constant = 'usd_per_gpu_hour_rental' then seed.value end) as usd_per_gpu_hour_rental,
        max(case when seed.constant = 'all_in_kw' then seed.effective_from end) as all_in_kw_effective_from,
        max(case when seed.constant = 'all_in_kw' then seed.source end) as all_in_kw_source,
        max(case when seed.constant like 'usd_%' then seed.source end) as usd_per_gpu_hour_source
    from results
    inner join {{ ref('inferencex_gpu_cost_power') }} as seed
        on results.hardware = seed.gpu_key
        and seed.value is not null
        and seed.effective_from is not null
        and results.result_date >= seed.effective_from
        and (seed.effective_to is null or results.result_date < seed.effective_to)
    group by results.result_key

)

select
    results.result_key,
    results.config_key,
    results.source_family,
    results.model,
    results.model_display_name,
    results.vendor,
    results.hardware,
    results.framework,
    results.precision,
    results.spec_method,
    results.disagg,
    results.num_gpus,
    results.isl,
    results.osl,
    results.conc,
    results.result_date,
    results.tput_per_gpu,
    results.output_tput_per_gpu,
    results.median_intvty,
    results.is_power_valid,
    case when results.is_power_valid then results.avg_power_w end as avg_power_w,
    case when results.is_power_valid then coalesce(results.joules_per_output_token,
        results.avg_power_w / nullif(results.output_tput_per_gpu, 0)) end as joules_per_output_token,
    case when results.is_power_valid then coalesce(results.joules_per_total_token,
        results.avg_power_w / nullif(results.tput_per_gpu, 0)) end as joules_per_total_token,
    case when results.is_power_valid then results.tput_per_gpu * 1000000 / results.avg_power_w end
        as tput_per_mw_measured,
    case when results.is_power_valid then results.output_tput_per_gpu * 1000000 / results.avg_power_w end
        as output_tput_per_mw_measured,
    constants.all_in_kw as site_all_in_kw,
    constants.all_in_kw_effective_from as site_constants_effective_from,
    results.tput_per_gpu * 1000 / constants.all_in_kw as site_tput_per_mw,
    constants.all_in_kw * 1000 / nullif(results.tput_per_gpu, 0) as site_joules_per_total_token,
    constants.usd_per_gpu_hour_hyperscaler / nullif(results.tput_per_gpu * 3600 / 1000000, 0)
        as site_usd_per_m_tokens_hyperscaler,
    constants.usd_per_gpu_hour_neocloud / nullif(results.tput_per_gpu * 3600 / 1000000, 0)
        as site_usd_per_m_tokens_neocloud,
    constants.usd_per_gpu_hour_rental / nullif(results.tput_per_gpu * 3600 / 1000000, 0)
        as site_usd_per_m_tokens_rental,
    constants.all_in_kw_source as site_power_constant_source,
    constants.usd_per_gpu_hour_source as site_cost_constant_source
from results
left join constants
    on results.result_key = constants.result_key
