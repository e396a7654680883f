{#
  One row per pair of consecutive snapshots (the later one's id; the oldest snapshot has no pair): point
  counts of both snapshots, counted from the points table, and the added / removed / changed counts of
  int_inferencemax__snapshot_point_diffs. unchanged = previous - removed - changed. The counts are computed
  independently of the diff, so the data tests on this model (previous + added - removed = current)
  check the diff's classification.
#}

with snapshots as (

    select snapshot_id, previous_snapshot_id, snapshot_ordinal, last_fetched_at, is_latest
    from {{ ref('stg_inferencemax__snapshots') }}

),

point_counts as (

    select snapshot_id, count(*) as point_count
    from {{ ref('int_inferencemax__points_joined_history') }}
    group by snapshot_id

),

diff_counts as (

    select
        snapshot_id,
        sum(case when change_type = 'added' then 1 else 0 end) as added_count,
        sum(case when change_type = 'removed' then 1 else 0 end) as removed_count,
        sum(case when change_type = 'changed' then 1 else 0 end) as changed_count
    from {{ ref('int_inferencemax__snapshot_point_diffs') }}
    group by snapshot_id

)

select
    snapshots.snapshot_id,
    snapshots.previous_snapshot_id,
    snapshots.snapshot_ordinal,
    snapshots.last_fetched_at as snapshot_fetched_at,
    previous_snapshots.last_fetched_at as previous_snapshot_fetched_at,
    snapshots.is_latest as is_latest_snapshot,
    coalesce(previous_counts.point_count, 0) as previous_point_count,
    coalesce(current_counts.point_count, 0) as point_count,
    coalesce(diff_counts.added_count, 0) as added_count,
    coalesce(diff_counts.removed_count, 0) as removed_count,
    coalesce(diff_counts.changed_count, 0) as changed_count,
    coalesce(previous_counts.point_count, 0) - coalesce(diff_counts.removed_count, 0)
        - coalesce(diff_counts.changed_count, 0) as unchanged_count,
    coalesce(diff_counts.added_count, 0) + coalesce(diff_counts.removed_count, 0)
        + coalesce(diff_counts.changed_count, 0) = 0 as is_identical_to_previous
from snapshots
inner join snapshots as previous_snapshots
    on snapshots.previous_snapshot_id = previous_snapshots.snapshot_id
left join point_counts as current_counts
    on snapshots.snapshot_id = current_counts.snapshot_id
left join point_counts as previous_counts
    on snapshots.previous_snapshot_id = previous_counts.snapshot_id
left join diff_counts
    on snapshots.snapshot_id = diff_counts.snapshot_id
