{#
  Throughput per GPU on a Pareto frontier at a target interactivity, by linear interpolation between the
  two adjacent frontier points (frontier sorted by interactivity_x). Shared by
  int_inferencemax__tput_at_interactivity (fixed targets) and mart_runs__inferencemax_placement (each
  run's own interactivity), so both read the curves the same way.

  frontier_segments(frontier, group_columns): each frontier point starts a segment to the next point of
  its group; the last point is a degenerate segment (upper_x/upper_y null). `frontier` is a relation or
  CTE with point_key, interactivity_x, interactivity_y and the group columns.

  frontier_hits(segments, targets, target_column, group_columns, shared_columns, target_key_columns):
  every segment containing a target, with tput_per_gpu at the target and segment_preference (keep = 1).
  A target equal to a frontier point's x returns that point's y (an exact hit matches the segment ending
  and the one starting there: the one starting there is preferred); a target outside the frontier's
  [min x, max x] matches nothing, so the caller's left join gives null: never an extrapolation.
  shared_columns are columns of both segments and targets that must match (none = every target against
  every group); target_key_columns identify a target row besides its value.
#}

{% macro frontier_segments(frontier, group_columns) -%}
    {%- set order = 'order by interactivity_x, interactivity_y desc, point_key' -%}
    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        interactivity_x as lower_x,
        interactivity_y as lower_y,
        lead(interactivity_x) over (partition by {{ group_columns | join(', ') }} {{ order }}) as upper_x,
        lead(interactivity_y) over (partition by {{ group_columns | join(', ') }} {{ order }}) as upper_y
    from {{ frontier }}
{%- endmacro %}

{% macro frontier_hits(segments, targets, target_column, group_columns, shared_columns=[], target_key_columns=[]) -%}
    {%- set target = 'targets.' ~ target_column -%}
    {%- set partition = [] -%}
    {%- for column in group_columns %}{% do partition.append('segments.' ~ column) %}{% endfor -%}
    {%- for column in target_key_columns %}{% do partition.append('targets.' ~ column) %}{% endfor -%}
    {%- do partition.append(target) -%}
    select
        {%- for column in group_columns %}
        segments.{{ column }},
        {%- endfor %}
        {%- for column in target_key_columns %}
        targets.{{ column }},
        {%- endfor %}
        {{ target }} as interactivity_target,
        segments.lower_x,
        segments.lower_y,
        coalesce(segments.upper_x, segments.lower_x) as upper_x,
        coalesce(segments.upper_y, segments.lower_y) as upper_y,
        case
            when {{ target }} = segments.lower_x then segments.lower_y
            when {{ target }} = segments.upper_x then segments.upper_y
            else segments.lower_y
                + (segments.upper_y - segments.lower_y)
                * ({{ target }} - segments.lower_x)
                / (segments.upper_x - segments.lower_x)
        end as tput_per_gpu,
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
    where {{ target }} >= segments.lower_x
        and {{ target }} <= coalesce(segments.upper_x, segments.lower_x)
{%- endmacro %}
