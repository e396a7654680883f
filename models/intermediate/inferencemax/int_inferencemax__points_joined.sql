{{ config(materialized='view') }}
-- Every snapshot's joined points (int_inferencemax__points_joined_history, incremental) with the
-- snapshot's place in time from stg_inferencemax__snapshots. Recency lives only here, in a view, because
-- it changes whenever a snapshot is fetched, while the incremental table holds only what never changes.

select
    points.*,
    snapshots.last_fetched_at as snapshot_fetched_at,
    snapshots.is_latest as is_latest_snapshot
from (
    -- snapshot_batch_key and dbt_invocation_id are incremental bookkeeping, not data
    select {{ semibench.star_except(ref('int_inferencemax__points_joined_history'), ['snapshot_batch_key', 'dbt_invocation_id']) }}
    from {{ ref('int_inferencemax__points_joined_history') }}
) as points
inner join {{ ref('stg_inferencemax__snapshots') }} as snapshots
    on points.snapshot_id = snapshots.snapshot_id
