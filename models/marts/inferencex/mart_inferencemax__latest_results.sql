{#
  "Latest" as InferenceX defines it: per config x conc x isl x osl, the newest successful result; among
  results of the same date the highest run attempt wins, then the API's value over a run artifact's or a
  dashboard point's. One row per (config_key, isl, osl, conc). A result the API no longer serves
  (is_missing_from_latest_capture) still counts: it is flagged, not deleted.
#}

with candidates as (

    select * from {{ ref('fct_inferencemax_results') }}
    where is_success
        and config_key is not null
        and not is_duplicate_of_api
        and tput_per_gpu is not null

),

ranked as (

    select
        candidates.*,
        row_number() over (
            partition by config_key, isl, osl, conc
            order by result_date desc,
                coalesce(run_attempt, 0) desc,
                case source_family when 'api' then 0 when 'agg_bmk' then 1 else 2 end,
                github_run_id desc,
                result_key
        ) as latest_rank
    from candidates

)

select * from ranked
where latest_rank = 1
