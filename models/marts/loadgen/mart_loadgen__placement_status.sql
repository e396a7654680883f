-- Every loadgen run: is it placed on the InferenceMAX curves (mart_runs__inferencemax_placement), and if not,
-- why, in words a report can show:
--   unknown model     - its model maps to no InferenceMAX slug (the model_catalog seed has neither the slug nor the hf_id)
--   no interactivity  - no successful request with a TPOT above 0 (the x axis of the curves)
--   no matching sequence - InferenceMAX has no point of that model at the run's ISL/OSL
-- served_isl_p50 (the server's usage.prompt_tokens median) beside the declared ISL shows a run recorded under an
-- ISL it did not send: isl_off_by_pct over 10 % says the placement compares unlike sequences.

with runs as (

    select
        fct.run_id,
        fct.model,
        fct.model_slug,
        fct.isl,
        fct.osl,
        fct.num_gpus,
        fct.median_interactivity,
        fct.is_simulated,
        stg.served_isl_p50,
        stg.is_isl_calibrated
    from {{ ref('fct_runs') }} as fct
    inner join {{ ref('stg_loadgen__runs') }} as stg
        on fct.run_id = stg.run_id

),

sequences as (

    select distinct model_slug, isl, osl
    from {{ ref('fct_inferencemax_points') }}

),

placed as (

    select run_id, count(*) as placement_rows
    from {{ ref('mart_runs__inferencemax_placement') }}
    group by run_id

)

select
    runs.run_id,
    runs.model,
    runs.model_slug,
    runs.isl,
    runs.osl,
    runs.num_gpus,
    runs.is_simulated,
    runs.served_isl_p50,
    runs.is_isl_calibrated,
    case when runs.served_isl_p50 is not null and runs.isl > 0
        then 100.0 * (runs.served_isl_p50 - runs.isl) / runs.isl end as isl_off_by_pct,
    case when runs.served_isl_p50 is not null and runs.isl > 0
              and abs(runs.served_isl_p50 - runs.isl) > 0.1 * runs.isl
        then 'served ISL p50 ' || cast(cast(runs.served_isl_p50 as {{ dbt.type_int() }}) as {{ dbt.type_string() }})
             || ' is not the declared ' || cast(runs.isl as {{ dbt.type_string() }})
             || ': the run is compared with another sequence (use --calibrate-isl)'
    end as isl_warning,
    coalesce(placed.placement_rows, 0) > 0 as is_placed,
    coalesce(placed.placement_rows, 0) as placement_rows,
    case
        when placed.run_id is not null then null
        when runs.model_slug is null
            then 'unknown model: ' || coalesce(runs.model, '(none)') || ' is not an InferenceMAX model (model_catalog seed)'
        when runs.median_interactivity is null or runs.median_interactivity <= 0
            then 'no interactivity: no successful request with a measurable TPOT to place (none succeeded, or every output arrived at once)'
        when sequences.model_slug is null
            then 'no matching sequence: InferenceMAX has no ' || runs.model_slug || ' point at ISL '
                 || coalesce(cast(runs.isl as {{ dbt.type_string() }}), '?') || ' / OSL '
                 || coalesce(cast(runs.osl as {{ dbt.type_string() }}), '?')
        else 'not placed: outside every frontier of the latest snapshot'
    end as unplaced_reason
from runs
left join placed
    on runs.run_id = placed.run_id
left join sequences
    on runs.model_slug = sequences.model_slug
    and runs.isl = sequences.isl
    and runs.osl = sequences.osl
