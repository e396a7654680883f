{#
  Latest snapshot only. Per model x sequence x hw_key, the points on the Pareto frontier of throughput per
  GPU (interactivity_y) vs interactivity (interactivity_x), both higher-better. A point is on the frontier
  iff no other point of its group is >= on both axes and > on at least one; identical points therefore
  both stay. Linear-time (no self-join): per distinct x we take the best y at that x and the best y at any
  strictly greater x (a running max over the x levels); a point is dominated iff some point with a greater
  x has y >= its y, or some point with the same x has a strictly greater y.
#}

with points as (

    select
        snapshot_id,
        point_key,
        model_slug,
        sequence_slug,
        hw_key,
        precision,
        tp,
        conc,
        point_date,
        interactivity_x,
        interactivity_y
    from {{ ref('int_inferencemax__points_joined') }}
    where is_latest_snapshot
        and interactivity_x is not null
        and interactivity_y is not null

),

x_levels as (

    select
        model_slug,
        sequence_slug,
        hw_key,
        interactivity_x,
        max(interactivity_y) as max_y_at_x
    from points
    group by model_slug, sequence_slug, hw_key, interactivity_x

),

x_levels_with_right_max as (

    select
        *,
        max(max_y_at_x) over (
            partition by model_slug, sequence_slug, hw_key
            order by interactivity_x desc
            rows between unbounded preceding and 1 preceding
        ) as max_y_at_greater_x
    from x_levels

),

flagged as (

    select
        points.*,
        case
            when levels.max_y_at_greater_x >= points.interactivity_y then false
            when levels.max_y_at_x > points.interactivity_y then false
            else true
        end as is_on_frontier
    from points
    inner join x_levels_with_right_max as levels
        on points.model_slug = levels.model_slug
        and points.sequence_slug = levels.sequence_slug
        and points.hw_key = levels.hw_key
        and points.interactivity_x = levels.interactivity_x

)

select
    snapshot_id,
    point_key,
    model_slug,
    sequence_slug,
    hw_key,
    precision,
    tp,
    conc,
    point_date,
    interactivity_x,
    interactivity_y,
    -- bigint on every engine (Spark's row_number is a 32-bit int)
    cast(row_number() over (
        partition by model_slug, sequence_slug, hw_key
        order by interactivity_x, interactivity_y desc, point_key
    ) as bigint) as frontier_rank,
    count(*) over (partition by model_slug, sequence_slug, hw_key) as frontier_point_count
from flagged
where is_on_frontier
