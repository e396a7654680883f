{#- incremental per snapshot: delete+insert on snapshot_id on DuckDB, insert_overwrite by snapshot_batch_key
    on Spark (macros/cross_db/imx_portable.sql) -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    post_hook="{{ semibench.delete_stale_batch_rows(this, semibench.derived_snapshot_batches(ref('int_inferencemax__points_joined_history')), 'snapshot_id', 'snapshot_batch_key', 'snapshot_batch_key') }}",
    **semibench.snapshot_incremental_config()
) }}
{#
  Per snapshot x model x sequence x hw_key: merged point count, best throughput per GPU and Pareto
  frontier size; the per-snapshot half of mart_inferencemax__trends. A snapshot's figures never change,
  so this is incremental per snapshot like the points tables (macros/inferencemax_history.sql): a new
  snapshot adds its ~70 rows and history is not re-aggregated. Nothing about recency is stored.
#}

with batches as (

    {{ semibench.derived_snapshot_batches(ref('int_inferencemax__points_joined_history')) }}

),

pending_batches as (

    {{ semibench.pending_batches('batches', 'snapshot_id', 'snapshot_batch_key') }}

),

points as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        interactivity_x,
        interactivity_y,
        -- as in mart_inferencemax__hardware_rollup: an e2e-only run still has a throughput
        coalesce(interactivity_y, e2e_y) as throughput_per_gpu
    from {{ ref('int_inferencemax__points_joined_history') }}
    where snapshot_id in (select snapshot_id from pending_batches)

),

point_stats as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        count(*) as point_count,
        max(throughput_per_gpu) as best_tput_per_gpu
    from points
    group by snapshot_id, model_slug, sequence_slug, hw_key

),

{#- Frontier size with the rule of int_inferencemax__pareto_frontier (which covers the latest snapshot
    only), per snapshot: at each distinct x only the points with the best y there can be on the frontier
    (ties all stay), and they are unless some strictly greater x reaches a y >= theirs. Linear, no self-join. #}
interactivity_points as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        interactivity_x,
        interactivity_y,
        max(interactivity_y) over (
            partition by snapshot_id, model_slug, sequence_slug, hw_key, interactivity_x
        ) as max_y_at_x
    from points
    where interactivity_x is not null
        and interactivity_y is not null

),

x_levels as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        interactivity_x,
        max_y_at_x,
        sum(case when interactivity_y = max_y_at_x then 1 else 0 end) as best_point_count
    from interactivity_points
    group by snapshot_id, model_slug, sequence_slug, hw_key, interactivity_x, max_y_at_x

),

x_levels_with_right_max as (

    select
        *,
        max(max_y_at_x) over (
            partition by snapshot_id, model_slug, sequence_slug, hw_key
            order by interactivity_x desc
            rows between unbounded preceding and 1 preceding
        ) as max_y_at_greater_x
    from x_levels

),

frontier_sizes as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        sum(case when max_y_at_greater_x >= max_y_at_x then 0 else best_point_count end) as frontier_point_count
    from x_levels_with_right_max
    group by snapshot_id, model_slug, sequence_slug, hw_key

)

select
    point_stats.snapshot_id,
    point_stats.model_slug,
    point_stats.sequence_slug,
    point_stats.hw_key,
    point_stats.point_count,
    point_stats.best_tput_per_gpu,
    coalesce(frontier_sizes.frontier_point_count, 0) as frontier_point_count,
    pending_batches.snapshot_batch_key,
    -- which dbt invocation modelled the row: shows what an incremental run (re)processed
    '{{ invocation_id }}' as dbt_invocation_id
from point_stats
inner join pending_batches
    on point_stats.snapshot_id = pending_batches.snapshot_id
left join frontier_sizes
    on point_stats.snapshot_id = frontier_sizes.snapshot_id
    and point_stats.model_slug = frontier_sizes.model_slug
    and point_stats.sequence_slug = frontier_sizes.sequence_slug
    and point_stats.hw_key = frontier_sizes.hw_key
