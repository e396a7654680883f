{#
  The load-latency curve of every sweep (--sweep-rate, --sweep-concurrency, --find-max): one row per step run,
  offered vs achieved load, p50/p99 TTFT and ITL, goodput, and whether the step kept up. The pass test is
  loadgen's own (loadgen/saturation.py judge_step), so the knee mart finds the knee loadgen reported:
    * achieved rate = (successful requests - 1) / (last completion - first completion): completions are
      spaced like arrivals while the server keeps up and at its own pace once it does not;
    * TTFT growth = median TTFT of the last third of successful requests (by send time) over the first
      third's (n // 3 requests each, at least 6 requests): a queue growing without bound shows here;
    * SLO attainment = share of successful requests meeting the run's own --goodput SLOs (a dbt var
      goodput_*_ms, when set, re-judges every sweep);
    * a step the over-saturation guard stopped never passes.
  Thresholds are vars (defaults as loadgen's): knee_min_achieved_ratio, knee_max_ttft_growth,
  knee_ttft_growth_floor_ms, knee_min_slo_attainment, knee_max_error_rate.
  The load of a step: its request rate in a rate sweep, its max concurrency in a concurrency sweep; a
  closed-loop step inside a rate sweep (--find-max's probe) has no offered rate and stays out of the knee.
#}

{%- set slos = semibench.goodput_slos() -%}

with runs as (

    select * from {{ ref('stg_loadgen__runs') }}
    where sweep_id is not null

),

requests as (

    select
        requests.run_id,
        requests.is_success,
        requests.ttft_ms,
        requests.send_offset_ns / 1e6 + requests.e2el_ms as end_ms,
        coalesce({{ slos.get('ttft', 'null') }}, runs.slo_ttft_ms) as slo_ttft_ms,
        coalesce({{ slos.get('tpot', 'null') }}, runs.slo_tpot_ms) as slo_tpot_ms,
        coalesce({{ slos.get('e2el', 'null') }}, runs.slo_e2el_ms) as slo_e2el_ms,
        requests.tpot_ms,
        requests.e2el_ms,
        row_number() over (partition by requests.run_id, requests.is_success order by requests.send_offset_ns, requests.request_id) as success_rank,
        count(*) over (partition by requests.run_id, requests.is_success) as same_outcome_count
    from {{ ref('stg_loadgen__requests') }} as requests
    inner join runs
        on requests.run_id = runs.run_id
    where requests.is_main_phase

),

judged as (

    select
        *,
        slo_ttft_ms is not null or slo_tpot_ms is not null or slo_e2el_ms is not null as has_slos,
        is_success
            and (slo_ttft_ms is null or ttft_ms <= slo_ttft_ms)
            and (slo_tpot_ms is null or coalesce(tpot_ms, 0) <= slo_tpot_ms)
            and (slo_e2el_ms is null or e2el_ms <= slo_e2el_ms) as meets_slos,
        {{ semibench.integer_divide('same_outcome_count', 3) }} as third
    from requests

),

step_stats as (

    select
        run_id,
        count(*) as requests,
        sum(case when is_success then 1 else 0 end) as succeeded,
        sum(case when is_success then 0 else 1 end) * 1.0 / count(*) as error_rate,
        min(case when is_success then end_ms end) as first_end_ms,
        max(case when is_success then end_ms end) as last_end_ms,
        {{ semibench.percentile_cont('ttft_ms', 0.5, 'is_success') }} as p50_ttft_ms,
        {{ semibench.percentile_cont('ttft_ms', 0.99, 'is_success') }} as p99_ttft_ms,
        {{ semibench.percentile_cont('ttft_ms', 0.5, 'is_success and same_outcome_count >= 6 and success_rank <= third') }}
            as first_third_p50_ttft_ms,
        {{ semibench.percentile_cont('ttft_ms', 0.5, 'is_success and same_outcome_count >= 6 and success_rank > same_outcome_count - third') }}
            as last_third_p50_ttft_ms,
        case when max(case when has_slos then 1 else 0 end) = 1 and sum(case when is_success then 1 else 0 end) > 0
            then sum(case when meets_slos then 1 else 0 end) * 1.0 / sum(case when is_success then 1 else 0 end)
        end as slo_attainment
    from judged
    group by run_id

),

steps as (

    select
        runs.sweep_id,
        runs.sweep_step,
        runs.run_id,
        runs.model,
        runs.is_simulated,
        runs.status,
        runs.request_rate as offered_rate,
        runs.max_concurrency,
        -- a sweep's load axis: rate when any of its steps has a finite rate, else concurrency
        max(case when runs.request_rate is not null then 1 else 0 end) over (partition by runs.sweep_id) = 1 as is_rate_sweep,
        runs.stopped_early,
        runs.is_client_distorted,
        step_stats.requests,
        step_stats.succeeded,
        step_stats.error_rate,
        case when step_stats.succeeded >= 3 and step_stats.last_end_ms > step_stats.first_end_ms
            then (step_stats.succeeded - 1) * 1000.0 / (step_stats.last_end_ms - step_stats.first_end_ms)
        end as achieved_rate,
        step_stats.p50_ttft_ms,
        step_stats.p99_ttft_ms,
        step_stats.first_third_p50_ttft_ms,
        step_stats.last_third_p50_ttft_ms,
        step_stats.last_third_p50_ttft_ms / nullif(step_stats.first_third_p50_ttft_ms, 0) as ttft_growth,
        step_stats.slo_attainment,
        fct.request_throughput,
        fct.request_goodput,
        fct.output_throughput,
        fct.median_itl_ms as p50_itl_ms,
        fct.p99_itl_ms,
        fct.median_tpot_ms as p50_tpot_ms,
        fct.p99_e2el_ms
    from runs
    inner join step_stats
        on runs.run_id = step_stats.run_id
    inner join {{ ref('fct_runs') }} as fct
        on runs.run_id = fct.run_id

)

select
    sweep_id,
    sweep_step,
    run_id,
    model,
    is_simulated,
    status,
    case when is_rate_sweep then 'request_rate' else 'max_concurrency' end as sweep_param,
    case when is_rate_sweep then offered_rate else max_concurrency end as load,
    is_rate_sweep and offered_rate is null as is_closed_loop_probe,
    offered_rate,
    max_concurrency,
    achieved_rate,
    achieved_rate / offered_rate as achieved_ratio,
    request_throughput,
    request_goodput,
    output_throughput,
    requests,
    succeeded,
    error_rate,
    p50_ttft_ms,
    p99_ttft_ms,
    p50_itl_ms,
    p99_itl_ms,
    p50_tpot_ms,
    p99_e2el_ms,
    first_third_p50_ttft_ms,
    last_third_p50_ttft_ms,
    ttft_growth,
    slo_attainment,
    stopped_early,
    is_client_distorted,
    status = 'completed'
        and succeeded > 0
        and error_rate <= {{ var('knee_max_error_rate', 0.05) }}
        and stopped_early is null
        and (offered_rate is null or achieved_rate is null or achieved_rate / offered_rate >= {{ var('knee_min_achieved_ratio', 0.9) }})
        and not coalesce(ttft_growth > {{ var('knee_max_ttft_growth', 2.0) }}
                         and last_third_p50_ttft_ms - first_third_p50_ttft_ms >= {{ var('knee_ttft_growth_floor_ms', 20) }}, false)
        and (slo_attainment is null or slo_attainment >= {{ var('knee_min_slo_attainment', 0.95) }}) as passes
from steps
