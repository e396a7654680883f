{#
  The latest-per-config mart against InferenceX's own `benchmarks` route: for every config x isl x osl x
  conc that the newest capture of a `benchmarks` feed serves and the mart holds with the SAME date, the
  two must be the same result (run id, attempt) with the same throughput. Lists the keys where they differ
  (warn: a difference means the definition of "latest" drifted from the site's, or a capture is stale).
  A benchmarks row dated older than the mart's is not a disagreement: history knows a newer run.
#}
{{ config(severity = 'warn', tags = ['inferencex_marts'], enabled = semibench.inferencex_models_enabled()) }}

with sightings as (

    select * from {{ ref('int_inferencex__api_result_sightings') }}
    where source_route = 'benchmarks'

),

newest as (

    select sightings.result_id
    from sightings
    inner join (
        select feed, max(captured_at) as captured_at from sightings group by feed
    ) as latest
        on sightings.feed = latest.feed
        and sightings.captured_at = latest.captured_at

),

served as (

    select distinct r.config_key, r.isl, r.osl, r.conc, r.result_date, r.github_run_id, r.run_attempt, r.tput_per_gpu
    from {{ ref('stg_inferencex__benchmark_results') }} as r
    inner join newest
        on r.result_id = newest.result_id
    where r.is_success

)

select
    served.config_key,
    served.isl,
    served.osl,
    served.conc,
    served.result_date,
    served.github_run_id as benchmarks_run_id,
    latest.github_run_id as mart_run_id,
    served.run_attempt as benchmarks_run_attempt,
    latest.run_attempt as mart_run_attempt,
    served.tput_per_gpu as benchmarks_tput_per_gpu,
    latest.tput_per_gpu as mart_tput_per_gpu
from served
inner join {{ ref('mart_inferencemax__latest_results') }} as latest
    on served.config_key = latest.config_key
    and served.isl = latest.isl
    and served.osl = latest.osl
    and served.conc = latest.conc
    and served.result_date = latest.result_date
where coalesce(served.github_run_id, '') <> coalesce(latest.github_run_id, '')
    or coalesce(served.run_attempt, -1) <> coalesce(latest.run_attempt, -1)
    or abs(served.tput_per_gpu - latest.tput_per_gpu) > 1e-9 * abs(served.tput_per_gpu)
