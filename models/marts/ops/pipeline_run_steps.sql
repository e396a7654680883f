{#
  One row per step of each pipeline run (check, ingest, build, publish, describe, ...), in execution order:
  where the time goes and where runs fail. A view over the same mirrored run log as pipeline_runs.
#}
{{ config(materialized='view') }}

with runs as (

    select run_id, started_at, trigger, steps
    from {{ source('ops', 'pipeline_runs') }}

),

unnested as (

    select
        runs.run_id,
        runs.started_at as run_started_at,
        runs.trigger,
        unnest(from_json(runs.steps, '[{"name": "VARCHAR", "status": "VARCHAR", "seconds": "DOUBLE", "error": "VARCHAR"}]')) as step,
        generate_subscripts(from_json(runs.steps, '["JSON"]'), 1) as ordinal
    from runs

)

select
    run_id || ':' || ordinal as run_step_key,
    run_id,
    run_started_at,
    trigger,
    ordinal,
    step.name as name,
    step.status as status,
    step.seconds as seconds,
    step.error as error
from unnested
