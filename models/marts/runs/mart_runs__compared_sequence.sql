{#
  The sequence (ISL/OSL) each run is compared under: what the server counted, not what was asked for.
  A random prompt of "1024 tokens" built without the server's tokenizer can be 1,300 tokens to the model
  (issue 14: --isl 128 served 178-306); placed by its declared ISL it would sit on a curve it never ran.

  measured length = the server's own median count (loadgen's summary: usage.prompt_tokens /
  usage.completion_tokens p50) when the run has one, else the declared length (basis says which).
  compared length = the InferenceMAX sequence length (any ISL or OSL of fct_inferencemax_points: 1024, 8192)
  within 10 % of the measured length, else the measured length itself, rounded. InferenceMAX's lengths are
  ten or more apart in ratio, so at most one is within 10 %.
  Placement (mart_runs__inferencemax_placement), its status and the planner's own endpoints all match on
  compared_isl / compared_osl.
#}

with runs as (

    select run_id, source, isl as declared_isl, osl as declared_osl
    from {{ ref('fct_runs') }}

),

served as (

    select run_id, served_isl_p50, served_osl_p50
    from {{ ref('stg_loadgen__runs') }}

),

sequence_lengths as (

    select isl as sequence_length from {{ ref('fct_inferencemax_points') }}
    union
    select osl as sequence_length from {{ ref('fct_inferencemax_points') }}

),

measured as (

    select
        runs.run_id,
        runs.source,
        runs.declared_isl,
        runs.declared_osl,
        served.served_isl_p50,
        served.served_osl_p50,
        coalesce(served.served_isl_p50, cast(runs.declared_isl as {{ dbt.type_float() }})) as measured_isl,
        coalesce(served.served_osl_p50, cast(runs.declared_osl as {{ dbt.type_float() }})) as measured_osl,
        case when served.served_isl_p50 is not null then 'served' else 'declared' end as isl_basis,
        case when served.served_osl_p50 is not null then 'served' else 'declared' end as osl_basis
    from runs
    left join served
        on runs.run_id = served.run_id

),

snapped as (

    select
        measured.run_id,
        min(case when abs(measured.measured_isl - lengths.sequence_length) <= 0.1 * lengths.sequence_length
                 then lengths.sequence_length end) as sequence_isl,
        min(case when abs(measured.measured_osl - lengths.sequence_length) <= 0.1 * lengths.sequence_length
                 then lengths.sequence_length end) as sequence_osl
    from measured
    cross join sequence_lengths as lengths
    group by measured.run_id

),

compared as (

    select
        measured.*,
        cast(coalesce(snapped.sequence_isl, round(measured.measured_isl)) as {{ dbt.type_bigint() }}) as compared_isl,
        cast(coalesce(snapped.sequence_osl, round(measured.measured_osl)) as {{ dbt.type_bigint() }}) as compared_osl,
        snapped.sequence_isl is not null and snapped.sequence_osl is not null as is_inferencemax_sequence
    from measured
    left join snapped
        on measured.run_id = snapped.run_id

)

select
    run_id,
    source,
    declared_isl,
    declared_osl,
    served_isl_p50,
    served_osl_p50,
    isl_basis,
    osl_basis,
    compared_isl,
    compared_osl,
    is_inferencemax_sequence,
    -- the asked-for lengths are not the compared ones: the run's own label would mislead
    coalesce(compared_isl <> declared_isl, (compared_isl is null) <> (declared_isl is null))
        or coalesce(compared_osl <> declared_osl, (compared_osl is null) <> (declared_osl is null))
        as is_compared_off_declared
from compared
