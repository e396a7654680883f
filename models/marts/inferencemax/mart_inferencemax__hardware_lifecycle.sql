{#
  One row per model x sequence x hw_key ever seen in the warehouse's snapshots: when it was first and
  last seen (snapshot and fetch time), in how many snapshots, how many snapshots it skipped in between,
  whether the latest snapshot has it, and its best throughput per GPU first, last and at its peak.
  Built from mart_inferencemax__trends, so "seen" means at least one merged point in that snapshot.
#}

with trends as (

    select * from {{ ref('mart_inferencemax__trends') }}

),

snapshots as (

    select max(snapshot_ordinal) as latest_snapshot_ordinal
    from {{ ref('stg_inferencemax__snapshots') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by model_slug, sequence_slug, hw_key order by snapshot_ordinal
        ) as ordinal_from_first,
        row_number() over (
            partition by model_slug, sequence_slug, hw_key order by snapshot_ordinal desc
        ) as ordinal_from_last,
        -- the peak: highest best throughput, the earliest snapshot reaching it on a tie
        row_number() over (
            partition by model_slug, sequence_slug, hw_key order by best_tput_per_gpu desc, snapshot_ordinal
        ) as tput_rank
    from trends

),

per_group as (

    select
        model_slug,
        sequence_slug,
        hw_key,
        count(*) as snapshots_seen,
        sum(case when is_big_change then 1 else 0 end) as big_change_count,
        max(case when is_latest_snapshot then 1 else 0 end) = 1 as is_in_latest_snapshot,
        max(case when ordinal_from_first = 1 then snapshot_id end) as first_seen_snapshot_id,
        max(case when ordinal_from_first = 1 then snapshot_ordinal end) as first_seen_snapshot_ordinal,
        max(case when ordinal_from_first = 1 then snapshot_fetched_at end) as first_seen_at,
        max(case when ordinal_from_first = 1 then best_tput_per_gpu end) as first_best_tput_per_gpu,
        max(case when ordinal_from_last = 1 then snapshot_id end) as last_seen_snapshot_id,
        max(case when ordinal_from_last = 1 then snapshot_ordinal end) as last_seen_snapshot_ordinal,
        max(case when ordinal_from_last = 1 then snapshot_fetched_at end) as last_seen_at,
        max(case when ordinal_from_last = 1 then best_tput_per_gpu end) as last_best_tput_per_gpu,
        max(case when ordinal_from_last = 1 then point_count end) as last_point_count,
        max(case when tput_rank = 1 then best_tput_per_gpu end) as peak_best_tput_per_gpu,
        max(case when tput_rank = 1 then snapshot_id end) as peak_snapshot_id,
        max(case when tput_rank = 1 then snapshot_fetched_at end) as peak_at
    from ranked
    group by model_slug, sequence_slug, hw_key

)

select
    per_group.model_slug,
    per_group.sequence_slug,
    per_group.hw_key,
    per_group.first_seen_snapshot_id,
    per_group.first_seen_at,
    per_group.last_seen_snapshot_id,
    per_group.last_seen_at,
    per_group.is_in_latest_snapshot,
    per_group.snapshots_seen,
    per_group.last_seen_snapshot_ordinal - per_group.first_seen_snapshot_ordinal + 1
        - per_group.snapshots_seen as snapshots_missed,
    snapshots.latest_snapshot_ordinal - per_group.last_seen_snapshot_ordinal as snapshots_since_last_seen,
    per_group.last_point_count,
    per_group.first_best_tput_per_gpu,
    per_group.last_best_tput_per_gpu,
    100.0 * (per_group.last_best_tput_per_gpu - per_group.first_best_tput_per_gpu)
        / nullif(per_group.first_best_tput_per_gpu, 0) as tput_change_pct_first_to_last,
    per_group.peak_best_tput_per_gpu,
    per_group.peak_snapshot_id,
    per_group.peak_at,
    per_group.big_change_count
from per_group
cross join snapshots
