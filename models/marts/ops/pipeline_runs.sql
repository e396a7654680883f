{#
  One row per pipeline run: when, how it was triggered, how it ended, what it landed and what dbt said.
  A view, not a table: the run log is mirrored into raw.pipeline_runs after the build and the warehouse is
  then re-published, so a view shows each run's final record without another dbt build.
#}
{{ config(materialized='view') }}

with runs as (

    select * from {{ source('ops', 'pipeline_runs') }}

),

steps as (

    select
        run_id,
        count(*) as step_count,
        -- the first step that did not succeed, i.e. where the run went wrong
        min_by(step.name, step.ordinal) filter (where step.status = 'failed') as failed_step
    from {{ ref('pipeline_run_steps') }} as step
    group by run_id

)

select
    runs.run_id,
    runs.trigger,
    runs.status,
    runs.started_at,
    runs.ended_at,
    runs.seconds,
    cast(runs.started_at as date) as run_date,
    runs.snapshot_id,
    runs.snapshot_was_new,
    runs.rows_landed,
    runs.dbt_tests_failed,
    runs.dbt_tests_warned,
    runs.dbt_nodes_errored,
    runs.published,
    runs.error,
    coalesce(steps.step_count, 0) as step_count,
    steps.failed_step,
    runs.steps,
    runs.alerts,
    runs.pid,
    runs.host,
    -- the run whose data the warehouse shows now: the last one that published
    -- (a conditional max, not FILTER: Spark has no FILTER on window aggregates)
    runs.run_id = max(case when runs.published then runs.run_id end) over () as is_current_publish
from runs
left join steps
    on runs.run_id = steps.run_id
