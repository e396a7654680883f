{#- incremental per snapshot: delete+insert on snapshot_id on DuckDB, insert_overwrite by snapshot_batch_key
    on Spark (macros/cross_db/imx_portable.sql) -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    post_hook="{{ semibench.delete_stale_batch_rows(this, semibench.inferencemax_snapshot_pairs(var('snapshot_diff_tolerance')), 'snapshot_id', 'snapshot_batch_key', 'snapshot_batch_key') }}",
    **semibench.snapshot_incremental_config()
) }}
{#
  Point-level differences between consecutive snapshots (ordered by recency, from
  stg_inferencemax__snapshots): for each snapshot and the one just before it, every point_key (the run key,
  stable across snapshots) that was
    added    in this snapshot only,
    removed  in the previous snapshot only,
    changed  in both, with interactivity_x/y or e2e_x/y different beyond var `snapshot_diff_tolerance`
             (relative; a value appearing or disappearing, e.g. a lost e2e side, is a change too).
  Unchanged points are not listed; mart_inferencemax__snapshot_diff_summary counts them. The oldest
  snapshot has no previous one and no rows.

  Incremental per PAIR, keyed by the later snapshot (it has one predecessor): a pair's diff depends only
  on the two snapshots' points, so it is stored with a fingerprint of both (snapshot_batch_key, see
  macros/inferencemax_history.sql) and only pairs not stored yet are diffed. Which snapshots are
  consecutive changes when one is re-fetched or landed out of order: the new pairs are then diffed and
  the post-hook deletes the pairs that are no longer consecutive (or whose snapshots retention removed).
  A pair with no difference leaves no rows and is diffed again each run (cheap: two snapshots).
  Recency columns are added by the view mart_inferencemax__snapshot_diffs, never stored.
#}

{%- set tolerance = var('snapshot_diff_tolerance') -%}
{%- set measures = ['interactivity_x', 'interactivity_y', 'e2e_x', 'e2e_y'] -%}
{%- set key_columns = semibench.inferencemax_point_key_columns() -%}

with pairs as (

    {{ semibench.inferencemax_snapshot_pairs(tolerance) }}

),

pending_pairs as (

    {{ semibench.pending_batches('pairs', 'snapshot_id', 'snapshot_batch_key') }}

),

points as (

    select
        snapshot_id,
        point_key,
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        match_status,
        {{ measures | join(',\n        ') }}
    from {{ ref('int_inferencemax__points_joined_history') }}

),

new_side as (

    select pairs.snapshot_id as pair_snapshot_id, points.*
    from pending_pairs as pairs
    inner join points
        on pairs.snapshot_id = points.snapshot_id

),

old_side as (

    select pairs.snapshot_id as pair_snapshot_id, points.*
    from pending_pairs as pairs
    inner join points
        on pairs.previous_snapshot_id = points.snapshot_id

),

compared as (

    select
        coalesce(new_side.pair_snapshot_id, old_side.pair_snapshot_id) as snapshot_id,
        coalesce(new_side.point_key, old_side.point_key) as point_key,
        {%- for key in key_columns %}
        coalesce(new_side.{{ key }}, old_side.{{ key }}) as {{ key }},
        {%- endfor %}
        new_side.point_key is not null as in_new,
        old_side.point_key is not null as in_old,
        old_side.match_status as old_match_status,
        new_side.match_status as new_match_status,
        {%- for m in measures %}
        old_side.{{ m }} as old_{{ m }},
        new_side.{{ m }} as new_{{ m }},
        {{ semibench.value_changed('old_side.' ~ m, 'new_side.' ~ m, tolerance) }} as {{ m }}_changed
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from new_side
    full outer join old_side
        on new_side.pair_snapshot_id = old_side.pair_snapshot_id
        and new_side.point_key = old_side.point_key

),

classified as (

    select
        *,
        case
            when not in_old then 'added'
            when not in_new then 'removed'
            when {{ measures | join('_changed or ') }}_changed then 'changed'
            else 'unchanged'
        end as change_type,
        nullif(concat_ws(', '
            {%- for m in measures %},
            case when in_old and in_new and {{ m }}_changed then '{{ m }}' end
            {%- endfor %}
        ), '') as changed_fields
    from compared

)

select
    classified.snapshot_id,
    pairs.previous_snapshot_id,
    classified.point_key,
    {%- for key in key_columns %}
    classified.{{ key }},
    {%- endfor %}
    classified.change_type,
    classified.changed_fields,
    classified.old_match_status,
    classified.new_match_status,
    {%- for m in measures %}
    classified.old_{{ m }},
    classified.new_{{ m }},
    {%- endfor %}
    100.0 * (classified.new_interactivity_y - classified.old_interactivity_y)
        / nullif(classified.old_interactivity_y, 0) as interactivity_y_change_pct,
    pairs.snapshot_batch_key,
    -- which dbt invocation modelled the row: shows what an incremental run (re)processed
    '{{ invocation_id }}' as dbt_invocation_id
from classified
inner join pending_pairs as pairs
    on classified.snapshot_id = pairs.snapshot_id
where classified.change_type <> 'unchanged'
