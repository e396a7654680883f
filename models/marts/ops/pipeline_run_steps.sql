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

    {{ semibench.unnest_json_array(
        'runs', 'steps',
        {'name': 'varchar', 'status': 'varchar', 'seconds': 'double', 'error': 'varchar'},
        ['run_id', 'started_at as run_started_at', 'trigger'],
        element='step', ordinal='ordinal'
    ) }}

)

select
    {{ dbt.concat(['run_id', "':'", dbt.cast('ordinal', dbt.type_string())]) }} as run_step_key,
    run_id,
    run_started_at,
    trigger,
    ordinal,
    step.name as name,
    step.status as status,
    step.seconds as seconds,
    step.error as error
from unnested
