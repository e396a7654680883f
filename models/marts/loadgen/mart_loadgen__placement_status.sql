-- Every loadgen run: is it placed on the InferenceMAX curves (mart_runs__inferencemax_placement), and if not,
-- why, in words a report can show:
--   unknown model     - its model maps to no InferenceMAX slug (the model_catalog seed has neither the slug nor the hf_id)
--   no interactivity  - no successful request with a TPOT above 0 (the x axis of the curves)
--   no matching sequence - InferenceMAX has no point of that model at the ISL/OSL the run is compared under
-- A run is compared under the lengths the server counted (mart_runs__compared_sequence), so a run that asked for
-- 1k but served 1.3k is not put on the 1k curves; isl_warning says so in words (isl_off_by_pct over 10 %).

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
        stg.is_isl_calibrated,
        compared.compared_isl,
        compared.compared_osl,
        compared.isl_basis,
        compared.osl_basis
    from {{ ref('fct_runs') }} as fct
    inner join {{ ref('stg_loadgen__runs') }} as stg
        on fct.run_id = stg.run_id
    inner join {{ ref('mart_runs__compared_sequence') }} as compared
        on fct.run_id = compared.run_id

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
    runs.compared_isl,
    runs.compared_osl,
    runs.isl_basis,
    runs.osl_basis,
    case when runs.served_isl_p50 is not null and runs.isl > 0
        then 100.0 * (runs.served_isl_p50 - runs.isl) / runs.isl end as isl_off_by_pct,
    case when runs.served_isl_p50 is not null and runs.isl > 0
              and abs(runs.served_isl_p50 - runs.isl) > 0.1 * runs.isl
        then 'served ISL p50 ' || cast(cast(runs.served_isl_p50 as {{ dbt.type_int() }}) as {{ dbt.type_string() }})
             || ' is not the declared ' || cast(runs.isl as {{ dbt.type_string() }})
             || ': the run is compared under the served length, not the declared one (use --calibrate-isl)'
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
                 || coalesce(cast(runs.compared_isl as {{ dbt.type_string() }}), '?') || ' / OSL '
                 || coalesce(cast(runs.compared_osl as {{ dbt.type_string() }}), '?')
                 || case when runs.compared_isl <> runs.isl or runs.compared_osl <> runs.osl
                         then ' (served; declared ' || cast(runs.isl as {{ dbt.type_string() }}) || ' / '
                              || cast(runs.osl as {{ dbt.type_string() }}) || ')'
                         else '' end
        else 'not placed: outside every frontier of the latest snapshot'
    end as unplaced_reason
from runs
left join placed
    on runs.run_id = placed.run_id
left join sequences
    on runs.model_slug = sequences.model_slug
    and runs.compared_isl = sequences.isl
    and runs.compared_osl = sequences.osl
