{#
  Time series per snapshot x model x sequence x hw_key, over every snapshot in the warehouse (ordered by
  recency, i.e. latest fetch, from stg_inferencemax__snapshots): point count, best throughput per GPU,
  Pareto frontier size, and the change of the best throughput against the group's previous appearance.

  "Previous appearance", not "previous snapshot": when a hw_key skips snapshots (coverage gap) the change
  is measured against the last snapshot that had it, and snapshots_since_previous_seen says how far back
  that was. is_big_change: |change| strictly greater than var `trend_change_threshold_pct` percent.

  A table rebuilt on every run, but from small per-snapshot figures (int_inferencemax__hardware_snapshot_stats,
  incremental): the ordering of snapshots (and so every "previous") changes when a snapshot is re-fetched
  or landed out of order, so only what never changes is stored incrementally.
#}

{%- set threshold = var('trend_change_threshold_pct') -%}

with snapshots as (

    select snapshot_id, snapshot_ordinal, last_fetched_at, is_latest
    from {{ ref('stg_inferencemax__snapshots') }}
    -- a partial snapshot (files missing) is no point of any series
    where not is_partial

),

stats as (

    select * from {{ ref('int_inferencemax__hardware_snapshot_stats') }}

),

series as (

    select
        stats.snapshot_id,
        snapshots.snapshot_ordinal,
        snapshots.last_fetched_at as snapshot_fetched_at,
        snapshots.is_latest as is_latest_snapshot,
        stats.model_slug,
        stats.sequence_slug,
        stats.hw_key,
        stats.point_count,
        stats.best_tput_per_gpu,
        stats.frontier_point_count,
        lag(stats.snapshot_id) over group_in_time as previous_seen_snapshot_id,
        lag(snapshots.snapshot_ordinal) over group_in_time as previous_seen_snapshot_ordinal,
        lag(snapshots.last_fetched_at) over group_in_time as previous_seen_fetched_at,
        lag(stats.best_tput_per_gpu) over group_in_time as previous_best_tput_per_gpu
    from stats
    inner join snapshots
        on stats.snapshot_id = snapshots.snapshot_id
    window group_in_time as (
        partition by stats.model_slug, stats.sequence_slug, stats.hw_key
        order by snapshots.snapshot_ordinal
    )

),

changes as (

    select
        *,
        snapshot_ordinal - previous_seen_snapshot_ordinal as snapshots_since_previous_seen,
        best_tput_per_gpu - previous_best_tput_per_gpu as tput_change,
        100.0 * (best_tput_per_gpu - previous_best_tput_per_gpu) / nullif(previous_best_tput_per_gpu, 0)
            as tput_change_pct
    from series

)

select
    snapshot_id,
    snapshot_ordinal,
    snapshot_fetched_at,
    is_latest_snapshot,
    model_slug,
    sequence_slug,
    hw_key,
    point_count,
    best_tput_per_gpu,
    frontier_point_count,
    previous_seen_snapshot_id,
    previous_seen_fetched_at,
    snapshots_since_previous_seen,
    previous_best_tput_per_gpu,
    tput_change,
    tput_change_pct,
    case
        when previous_seen_snapshot_id is null then 'first_seen'
        when tput_change > 0 then 'up'
        when tput_change < 0 then 'down'
        else 'unchanged'
    end as change_type,
    coalesce(abs(tput_change_pct) > {{ threshold }}, false) as is_big_change
from changes
