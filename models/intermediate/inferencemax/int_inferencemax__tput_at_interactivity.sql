{#
  Latest snapshot only. Per model x sequence x hw_key x target interactivity (var `interactivity_targets`,
  tok/s/user): throughput per GPU at AT LEAST that interactivity, linearly interpolated between the two
  adjacent Pareto-frontier points (frontier sorted by interactivity_x). A target equal to a frontier point's x
  returns that point's y; a target below the frontier's lowest x returns the frontier's highest-throughput
  point (is_slo_looser_than_frontier: every measured point already meets it); a target above its highest x
  gives null (not reachable, no extrapolation). One row per group and target, including the null ones. The interpolation is macro frontier_hits
  (macros/frontier_interpolation.sql), shared with mart_runs__inferencemax_placement.
#}

{%- set targets = var('interactivity_targets') -%}

with frontier as (

    select * from {{ ref('int_inferencemax__pareto_frontier') }}

),

targets as (

    {%- for target in targets %}
    select {{ dbt.cast(target, semibench.type_double()) }} as interactivity_target
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

groups as (

    select
        snapshot_id,
        model_slug,
        sequence_slug,
        hw_key,
        min(interactivity_x) as frontier_min_interactivity,
        max(interactivity_x) as frontier_max_interactivity
    from frontier
    group by snapshot_id, model_slug, sequence_slug, hw_key

),

segments as (

    -- each frontier point starts a segment to the next point; the last point is a degenerate segment
    {{ semibench.frontier_segments('frontier', ['model_slug', 'sequence_slug', 'hw_key']) }}

),

hits as (

    {{ semibench.frontier_hits('segments', 'targets', 'interactivity_target', ['model_slug', 'sequence_slug', 'hw_key']) }}

)

select
    groups.snapshot_id,
    groups.model_slug,
    groups.sequence_slug,
    groups.hw_key,
    targets.interactivity_target,
    hits.tput_per_gpu,
    hits.lower_x as lower_interactivity_x,
    hits.lower_y as lower_tput_per_gpu,
    hits.upper_x as upper_interactivity_x,
    hits.upper_y as upper_tput_per_gpu,
    coalesce(hits.lower_x = targets.interactivity_target, false) as is_exact_hit,
    coalesce(hits.is_below_frontier, false) as is_slo_looser_than_frontier,
    {{ semibench.interpolation_status('hits.tput_per_gpu', 'hits.is_below_frontier',
                                      'hits.lower_x = targets.interactivity_target') }} as interpolation_status,
    groups.frontier_min_interactivity,
    groups.frontier_max_interactivity
from groups
cross join targets
left join hits
    on groups.model_slug = hits.model_slug
    and groups.sequence_slug = hits.sequence_slug
    and groups.hw_key = hits.hw_key
    and targets.interactivity_target = hits.interactivity_target
    and hits.segment_preference = 1
