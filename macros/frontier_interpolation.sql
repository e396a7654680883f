{#
  Throughput per GPU on a Pareto frontier at a target interactivity, by linear interpolation between the
  two adjacent frontier points (frontier sorted by interactivity_x). Shared by
  int_inferencemax__tput_at_interactivity and mart_inferencex__tput_at_interactivity (fixed targets),
  mart_runs__inferencemax_placement (each run's own interactivity) and the planner (macros/planner.sql, also
  rendered by `semibench plan`), so all of them read the curves the same way.

  A target interactivity is a FLOOR (an SLO: "at least X tok/s/user"). On a Pareto frontier throughput falls
  as interactivity rises, so:
  - target inside [min x, max x]: linear interpolation between the adjacent points; a target equal to a
    point's x returns that point's y (the segment starting there is preferred);
  - target below min x: every frontier point already meets the floor, and the first point (lowest x) has the
    highest throughput: its y is the answer, flagged is_below_frontier ("SLO looser than any measured point");
  - target above max x: no measured point reaches it, the caller's left join gives null ("SLO not reachable"):
    never an extrapolation.

  frontier_segments(frontier, group_columns, carry_columns): each frontier point starts a segment to the next
  point of its group; the last point is a degenerate segment (upper_x/upper_y null); is_first_segment marks the
  group's lowest-x point. `frontier` is a relation or CTE with point_key, interactivity_x, interactivity_y, the
  group columns and the carry columns (other per-point figures interpolated with the same weight: lower_<c>,
  upper_<c>).

  frontier_hits(segments, targets, target_column, group_columns, shared_columns, target_key_columns,
  carry_columns): the segment answering each target, with tput_per_gpu at the target, is_below_frontier,
  upper_weight (0 = the lower point's figures, 1 = the upper point's), next_x/next_y (the next frontier point
  above the target: the headroom before the SLO crosses it; null at the frontier's end), each carry column
  interpolated, and segment_preference (keep = 1). shared_columns are columns of both segments and targets
  that must match (none = every target against every group); target_key_columns identify a target row
  besides its value.
#}

{% macro frontier_segments(frontier, group_columns, carry_columns=[]) -%}
    {%- set window = 'over (partition by ' ~ (group_columns | join(', ')) ~ ' order by interactivity_x, interactivity_y desc, point_key)' -%}
    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        point_key as lower_point_key,
        lead(point_key) {{ window }} as upper_point_key,
        interactivity_x as lower_x,
        interactivity_y as lower_y,
        lead(interactivity_x) {{ window }} as upper_x,
        lead(interactivity_y) {{ window }} as upper_y,
        {%- for column in carry_columns %}
        {{ column }} as lower_{{ column }},
        lead({{ column }}) {{ window }} as upper_{{ column }},
        {%- endfor %}
        row_number() {{ window }} = 1 as is_first_segment
    from {{ frontier }}
{%- endmacro %}

{% macro frontier_hits(segments, targets, target_column, group_columns, shared_columns=[], target_key_columns=[], carry_columns=[]) -%}
    {%- set target = 'targets.' ~ target_column -%}
    {%- set partition = [] -%}
    {%- for column in group_columns %}{% do partition.append('segments.' ~ column) %}{% endfor -%}
    {%- for column in target_key_columns %}{% do partition.append('targets.' ~ column) %}{% endfor -%}
    {%- do partition.append(target) -%}
    {#- weight of the upper point: 0 on or below the lower point (and on a degenerate segment), 1 on the upper -#}
    {%- set weight -%}
        case
            when {{ target }} <= segments.lower_x or segments.upper_x is null or segments.upper_x = segments.lower_x then 0.0
            when {{ target }} >= segments.upper_x then 1.0
            else ({{ target }} - segments.lower_x) / (segments.upper_x - segments.lower_x)
        end
    {%- endset -%}
    select
        {%- for column in group_columns %}
        segments.{{ column }},
        {%- endfor %}
        {%- for column in target_key_columns %}
        targets.{{ column }},
        {%- endfor %}
        {{ target }} as interactivity_target,
        segments.lower_point_key,
        segments.upper_point_key,
        segments.lower_x,
        segments.lower_y,
        coalesce(segments.upper_x, segments.lower_x) as upper_x,
        coalesce(segments.upper_y, segments.lower_y) as upper_y,
        case
            when {{ target }} <= segments.lower_x then segments.lower_y
            when {{ target }} = segments.upper_x then segments.upper_y
            else segments.lower_y
                + (segments.upper_y - segments.lower_y)
                * ({{ target }} - segments.lower_x)
                / (segments.upper_x - segments.lower_x)
        end as tput_per_gpu,
        {{ target }} < segments.lower_x as is_below_frontier,
        {{ weight }} as upper_weight,
        case when {{ target }} < segments.lower_x then segments.lower_x else segments.upper_x end as next_x,
        case when {{ target }} < segments.lower_x then segments.lower_y else segments.upper_y end as next_y,
        {%- for column in carry_columns %}
        case
            when {{ target }} <= segments.lower_x then segments.lower_{{ column }}
            when {{ target }} = segments.upper_x then segments.upper_{{ column }}
            else segments.lower_{{ column }}
                + (segments.upper_{{ column }} - segments.lower_{{ column }}) * ({{ weight }})
        end as {{ column }},
        {%- endfor %}
        row_number() over (
            partition by {{ partition | join(', ') }}
            order by segments.lower_x desc, segments.upper_x desc
        ) as segment_preference
    from {{ segments }} as segments
    {%- if shared_columns %}
    inner join {{ targets }} as targets
        on {% for column in shared_columns %}{% if not loop.first %} and {% endif %}segments.{{ column }} = targets.{{ column }}{% endfor %}
    {%- else %}
    cross join {{ targets }} as targets
    {%- endif %}
    where ({{ target }} >= segments.lower_x
            and {{ target }} <= coalesce(segments.upper_x, segments.lower_x))
        -- an SLO looser than the lowest measured interactivity: the first (highest-throughput) point answers
        or (segments.is_first_segment and {{ target }} < segments.lower_x)
{%- endmacro %}

{#- the one status vocabulary of every "throughput at interactivity X" figure -#}
{% macro interpolation_status(tput, is_below, is_exact) -%}
    case
        when {{ tput }} is null then 'slo_not_reachable'
        when {{ is_below }} then 'slo_looser_than_measured'
        when {{ is_exact }} then 'exact'
        else 'interpolated'
    end
{%- endmacro %}
