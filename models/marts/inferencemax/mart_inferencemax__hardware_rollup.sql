{#
  Latest snapshot. One row per model x sequence x hw_key: point counts, best throughput per GPU and where
  it is reached, the Pareto frontier's size, throughput per GPU interpolated at each target interactivity
  (one column per value of var `interactivity_targets`), and the hardware's rank within the model x
  sequence (1 = best; ties share a rank; no rank where the value is null).
#}

{%- set targets = var('interactivity_targets') -%}


with points as (

    select
        *,
        coalesce(interactivity_y, e2e_y) as throughput_per_gpu
    from {{ ref('fct_inferencemax_points') }}

),

point_stats as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        max(model_display_name) as model_display_name,
        max(isl) as isl,
        max(osl) as osl,
        count(*) as point_count,
        sum(case when match_status = 'matched' then 1 else 0 end) as matched_point_count,
        max(throughput_per_gpu) as best_tput_per_gpu,
        max(interactivity_x) as max_interactivity
    from points
    group by snapshot_id, model_slug, sequence_slug, hw_key

),

best_points as (

    select
        model_slug,
        sequence_slug,
        hw_key,
        interactivity_x as interactivity_at_best_tput
    from (
        select
            *,
            row_number() over (
                partition by model_slug, sequence_slug, hw_key
                order by throughput_per_gpu desc, interactivity_x desc nulls last, point_key
            ) as tput_rank
        from points
    ) as ranked
    where tput_rank = 1

),

frontier_sizes as (

    select model_slug, sequence_slug, hw_key, count(*) as frontier_point_count
    from {{ ref('int_inferencemax__pareto_frontier') }}
    group by model_slug, sequence_slug, hw_key

),

tput_at_targets as (

    select
        model_slug,
        sequence_slug,
        hw_key
        {%- for target in targets %},
        max(case when interactivity_target = {{ target }} then tput_per_gpu end)
            as {{ semibench.tput_at_target_column(target) }}
        {%- endfor %}
    from {{ ref('int_inferencemax__tput_at_interactivity') }}
    group by model_slug, sequence_slug, hw_key

),

hardware as (

    select * from {{ ref('hardware_catalog') }}

),

combined as (

    select
        point_stats.snapshot_id,
        point_stats.model_slug,
        point_stats.model_display_name,
        point_stats.sequence_slug,
        point_stats.isl,
        point_stats.osl,
        point_stats.hw_key,
        hardware.vendor,
        hardware.chip,
        hardware.engine,
        hardware.memory_gb,
        hardware.hw_key is not null as is_known_hardware,
        point_stats.point_count,
        point_stats.matched_point_count,
        point_stats.best_tput_per_gpu,
        best_points.interactivity_at_best_tput,
        point_stats.max_interactivity,
        coalesce(frontier_sizes.frontier_point_count, 0) as frontier_point_count
        {%- for target in targets %},
        tput_at_targets.{{ semibench.tput_at_target_column(target) }}
        {%- endfor %}
    from point_stats
    left join best_points
        on point_stats.model_slug = best_points.model_slug
        and point_stats.sequence_slug = best_points.sequence_slug
        and point_stats.hw_key = best_points.hw_key
    left join frontier_sizes
        on point_stats.model_slug = frontier_sizes.model_slug
        and point_stats.sequence_slug = frontier_sizes.sequence_slug
        and point_stats.hw_key = frontier_sizes.hw_key
    left join tput_at_targets
        on point_stats.model_slug = tput_at_targets.model_slug
        and point_stats.sequence_slug = tput_at_targets.sequence_slug
        and point_stats.hw_key = tput_at_targets.hw_key
    left join hardware
        on point_stats.hw_key = hardware.hw_key

)

select
    *,
    -- ranks are bigint on every engine (Spark's rank is a 32-bit int)
    cast(rank() over (
        partition by model_slug, sequence_slug
        order by best_tput_per_gpu desc nulls last
    ) as bigint) as rank_best_tput_per_gpu
    {%- for target in targets %}
    {%- set column = semibench.tput_at_target_column(target) %},
    case when {{ column }} is not null then
        cast(rank() over (partition by model_slug, sequence_slug order by {{ column }} desc nulls last) as bigint)
    end as rank_{{ column }}
    {%- endfor %}
from combined
