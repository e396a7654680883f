{#- incremental per snapshot: delete+insert on snapshot_id on DuckDB, insert_overwrite by snapshot_batch_key
    on Spark (macros/cross_db/imx_portable.sql) -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    post_hook="{{ semibench.delete_stale_batch_rows(this, semibench.derived_snapshot_batches(ref('base_inferencemax__points'), var('y_agreement_tolerance', 0.001)), 'snapshot_id', 'snapshot_batch_key', 'snapshot_batch_key') }}",
    **semibench.snapshot_incremental_config()
) }}
{#
  Interactivity and e2e points of the same benchmark run, side by side: a full outer join per snapshot on
  the six-key (model_slug, sequence_slug, hw_key, precision, tp, conc) plus point_date. point_date is
  part of the key because a file may carry several dates (a re-run of the same configuration on a later
  day is a separate point); it is compared null-safely because most points carry no date. Both sides of a
  matched pair carry the same y (throughput per GPU): `y_agrees` is that free check on the join.

  Incremental per snapshot like base_inferencemax__points (macros/inferencemax_history.sql): only
  snapshots whose fingerprint is not modelled yet are joined; the post-hook drops snapshots gone from
  base (retention). Recency (snapshot_fetched_at, is_latest_snapshot) is NOT stored: a later fetch
  changes it without changing any point, so the view int_inferencemax__points_joined adds it.
#}

{%- set keys = semibench.inferencemax_point_key_columns() -%}
{%- set tolerance = var('y_agreement_tolerance', 0.001) -%}

with batches as (

    {{ semibench.derived_snapshot_batches(ref('base_inferencemax__points'), tolerance) }}

),

pending_batches as (

    {{ semibench.pending_batches('batches', 'snapshot_id', 'snapshot_batch_key') }}

),

interactivity as (

    select * from {{ ref('int_inferencemax__interactivity_points') }}
    where snapshot_id in (select snapshot_id from pending_batches)

),

e2e as (

    select * from {{ ref('int_inferencemax__e2e_points') }}
    where snapshot_id in (select snapshot_id from pending_batches)

),

joined as (

    select
        coalesce(interactivity.snapshot_id, e2e.snapshot_id) as snapshot_id,
        {%- for key in keys %}
        coalesce(interactivity.{{ key }}, e2e.{{ key }}) as {{ key }},
        {%- endfor %}
        coalesce(interactivity.hw_key_raw, e2e.hw_key_raw) as hw_key_raw,
        coalesce(interactivity.isl, e2e.isl) as isl,
        coalesce(interactivity.osl, e2e.osl) as osl,
        case
            when interactivity.point_id is not null and e2e.point_id is not null then 'matched'
            when interactivity.point_id is not null then 'interactivity_only'
            else 'e2e_only'
        end as match_status,
        interactivity.point_id as interactivity_point_id,
        e2e.point_id as e2e_point_id,
        interactivity.interactivity_x,
        interactivity.interactivity_y,
        e2e.e2e_x,
        e2e.e2e_y,
        {%- for metric in semibench.inferencemax_roofed_metrics() %}
        coalesce(interactivity.{{ metric }}, e2e.{{ metric }}) as {{ metric }},
        {%- endfor %}
        {#- roof flags differ between the two charts (a point can be on the interactivity roofline
            and not on the e2e one), so both sides are kept #}
        {%- for metric in semibench.inferencemax_roofed_metrics() %}
        interactivity.{{ metric }}_roof as interactivity_{{ metric }}_roof,
        e2e.{{ metric }}_roof as e2e_{{ metric }}_roof,
        {%- endfor %}
        {%- for field in semibench.inferencemax_run_fields() %}
        coalesce(interactivity.{{ field }}, e2e.{{ field }}) as {{ field }},
        {%- endfor %}
        abs(interactivity.interactivity_y - e2e.e2e_y)
            / nullif(
                case
                    when abs(interactivity.interactivity_y) > abs(e2e.e2e_y) then abs(interactivity.interactivity_y)
                    else abs(e2e.e2e_y)
                end, 0) as y_relative_difference
    from interactivity
    full outer join e2e
        on interactivity.snapshot_id = e2e.snapshot_id
        {%- for key in keys if key != 'point_date' %}
        and interactivity.{{ key }} = e2e.{{ key }}
        {%- endfor %}
        and {{ semibench.null_safe_equals('interactivity.point_date', 'e2e.point_date') }}

)

select
    {{ dbt.hash(dbt.concat([
        'joined.model_slug', "'|'", 'joined.sequence_slug', "'|'", 'joined.hw_key', "'|'",
        'joined.precision', "'|'", dbt.cast('joined.tp', dbt.type_string()), "'|'",
        dbt.cast('joined.conc', dbt.type_string()), "'|'",
        "coalesce(" ~ dbt.cast('joined.point_date', dbt.type_string()) ~ ", '')"
    ])) }} as point_key,
    joined.*,
    case
        when joined.match_status = 'matched' then coalesce(joined.y_relative_difference <= {{ tolerance }}, false)
    end as y_agrees,
    pending_batches.snapshot_batch_key,
    -- which dbt invocation modelled the row: shows what an incremental run (re)processed
    '{{ invocation_id }}' as dbt_invocation_id
from joined
inner join pending_batches
    on joined.snapshot_id = pending_batches.snapshot_id
