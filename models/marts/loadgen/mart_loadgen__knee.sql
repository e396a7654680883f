-- The knee of every sweep: the highest load whose step passed (mart_loadgen__sweep_curve.passes: kept up with
-- the offered rate, TTFT not growing, errors and SLO attainment within bounds), the lowest load that failed,
-- and the figures at the knee. A knee with no failing step above it is only a lower bound (knee_is_bounded
-- false); a sweep where nothing passed has a null knee. Closed-loop probe steps stay out.

with steps as (

    select * from {{ ref('mart_loadgen__sweep_curve') }}
    where not is_closed_loop_probe
        and load is not null

),

bounds as (

    select
        sweep_id,
        max(sweep_param) as sweep_param,
        max(model) as model,
        max(case when is_simulated then 1 else 0 end) = 1 as is_simulated,
        count(*) as steps,
        sum(case when passes then 1 else 0 end) as passing_steps,
        max(case when passes then load end) as knee_load,
        min(case when not passes then load end) as first_failing_load,
        max(load) as max_load_tried
    from steps
    group by sweep_id

)

select
    bounds.sweep_id,
    bounds.sweep_param,
    bounds.model,
    bounds.is_simulated,
    bounds.steps,
    bounds.passing_steps,
    bounds.knee_load,
    bounds.first_failing_load,
    bounds.max_load_tried,
    bounds.first_failing_load is not null and bounds.knee_load is not null
        and bounds.first_failing_load > bounds.knee_load as knee_is_bounded,
    knee.run_id as knee_run_id,
    knee.achieved_rate as knee_achieved_rate,
    knee.request_goodput as knee_request_goodput,
    knee.p50_ttft_ms as knee_p50_ttft_ms,
    knee.p99_ttft_ms as knee_p99_ttft_ms,
    knee.p99_itl_ms as knee_p99_itl_ms
from bounds
left join steps as knee
    on bounds.sweep_id = knee.sweep_id
    and knee.load = bounds.knee_load
    and knee.passes
