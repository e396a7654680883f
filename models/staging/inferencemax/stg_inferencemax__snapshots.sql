-- One row per snapshot with its place in time. Recency = the snapshot's LATEST fetch (a re-fetch of
-- identical content makes that content current again), so ordering comes from the fetch log. A partial
-- snapshot (landed with --allow-partial) is listed, flagged, but stays out of the timeline: never the latest,
-- never anyone's previous, not in trends, coverage or diffs. The newest whole snapshot is the latest.

with snapshots as (

    select * from {{ source('inferencemax', 'inferencemax_snapshots') }}

),

fetches as (

    select
        snapshot_id,
        min(fetched_at) as first_fetched_at,
        max(fetched_at) as last_fetched_at,
        count(*) as fetch_count
    from {{ source('inferencemax', 'inferencemax_fetches') }}
    group by snapshot_id

),

joined as (

    select
        snapshots.snapshot_id,
        snapshots.source,
        -- a snapshot without fetch rows (should not happen) falls back to its own fetched_at
        coalesce(fetches.first_fetched_at, snapshots.fetched_at) as first_fetched_at,
        coalesce(fetches.last_fetched_at, snapshots.fetched_at) as last_fetched_at,
        coalesce(fetches.fetch_count, 0) as fetch_count,
        snapshots.loaded_at,
        snapshots.file_count,
        snapshots.record_count,
        snapshots.archive_path,
        coalesce(snapshots.is_partial, false) as is_partial
    from snapshots
    left join fetches
        on snapshots.snapshot_id = fetches.snapshot_id

),

ordered as (

    -- The timeline (ordinal, recency, previous / next) runs over whole snapshots only: a partial snapshot
    -- would read as hardware lost and found again in every comparison, so it gets no place in it.
    select
        *,
        -- bigint on every engine (Spark's row_number is a 32-bit int)
        case when not is_partial then cast(row_number() over (
            partition by is_partial order by last_fetched_at, first_fetched_at, snapshot_id) as bigint)
        end as snapshot_ordinal,
        case when not is_partial then cast(row_number() over (
            partition by is_partial order by last_fetched_at desc, first_fetched_at desc, snapshot_id desc) as bigint)
        end as recency_rank,
        case when not is_partial then lag(snapshot_id) over (
            partition by is_partial order by last_fetched_at, first_fetched_at, snapshot_id)
        end as previous_snapshot_id,
        case when not is_partial then lead(snapshot_id) over (
            partition by is_partial order by last_fetched_at, first_fetched_at, snapshot_id)
        end as next_snapshot_id
    from joined

)

select
    snapshot_id,
    source,
    first_fetched_at,
    last_fetched_at,
    fetch_count,
    loaded_at,
    file_count,
    record_count,
    archive_path,
    is_partial,
    snapshot_ordinal,
    recency_rank,
    coalesce(recency_rank = 1, false) as is_latest,
    previous_snapshot_id,
    next_snapshot_id
from ordered
