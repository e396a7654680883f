{#
  Coverage between consecutive snapshots (ordered by recency, i.e. latest fetch): for every snapshot and
  the one before it, every model x sequence x hw_key seen in either, with merged point counts on each
  side and a status: kept (in both), lost (only in the previous snapshot), added (only in this one).
  The oldest snapshot is compared with nothing (previous_snapshot_id null): all its combinations are
  `added`, so a single-snapshot warehouse still has rows. Linear in the number of points: each snapshot's
  counts are joined only to its predecessor's.
#}

with snapshots as (

    select snapshot_id, previous_snapshot_id, last_fetched_at, snapshot_ordinal, is_latest
    from {{ ref('stg_inferencemax__snapshots') }}
    -- a partial snapshot (files missing) would show their hardware as lost: it is compared with nothing
    where not is_partial

),

counts as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        count(*) as point_count
    from {{ ref('int_inferencemax__points_joined') }}
    group by snapshot_id, model_slug, sequence_slug, hw_key

),

previous_side as (

    select
        snapshots.snapshot_id,
        counts.model_slug,
        counts.sequence_slug,
        counts.hw_key,
        counts.point_count
    from snapshots
    inner join counts
        on snapshots.previous_snapshot_id = counts.snapshot_id

),

current_side as (

    select
        snapshots.snapshot_id,
        counts.model_slug,
        counts.sequence_slug,
        counts.hw_key,
        counts.point_count
    from snapshots
    inner join counts
        on snapshots.snapshot_id = counts.snapshot_id

),

paired as (

    select
        coalesce(current_side.snapshot_id, previous_side.snapshot_id) as snapshot_id,
        coalesce(current_side.model_slug, previous_side.model_slug) as model_slug,
        coalesce(current_side.sequence_slug, previous_side.sequence_slug) as sequence_slug,
        coalesce(current_side.hw_key, previous_side.hw_key) as hw_key,
        coalesce(previous_side.point_count, 0) as previous_point_count,
        coalesce(current_side.point_count, 0) as point_count,
        case
            when previous_side.point_count is not null and current_side.point_count is not null then 'kept'
            when previous_side.point_count is not null then 'lost'
            else 'added'
        end as status
    from current_side
    full outer join previous_side
        on current_side.snapshot_id = previous_side.snapshot_id
        and current_side.model_slug = previous_side.model_slug
        and current_side.sequence_slug = previous_side.sequence_slug
        and current_side.hw_key = previous_side.hw_key

)

select
    paired.snapshot_id,
    snapshots.snapshot_ordinal,
    snapshots.last_fetched_at as snapshot_fetched_at,
    snapshots.previous_snapshot_id,
    previous_snapshots.last_fetched_at as previous_snapshot_fetched_at,
    snapshots.is_latest as is_latest_snapshot,
    paired.model_slug,
    paired.sequence_slug,
    paired.hw_key,
    paired.previous_point_count,
    paired.point_count,
    paired.point_count - paired.previous_point_count as point_count_change,
    paired.status
from paired
inner join snapshots
    on paired.snapshot_id = snapshots.snapshot_id
left join snapshots as previous_snapshots
    on snapshots.previous_snapshot_id = previous_snapshots.snapshot_id
