{{ config(materialized='view') }}
-- Point-level differences between consecutive snapshots (int_inferencemax__snapshot_point_diffs,
-- incremental per pair) with both snapshots' place in time. A view: recency changes with every fetch,
-- the stored diffs do not, and copying ~all points of the history into a table each run is what the
-- incremental model avoids.

select
    diffs.snapshot_id,
    diffs.previous_snapshot_id,
    snapshots.snapshot_ordinal,
    snapshots.last_fetched_at as snapshot_fetched_at,
    previous_snapshots.last_fetched_at as previous_snapshot_fetched_at,
    snapshots.is_latest as is_latest_snapshot,
    diffs.point_key,
    {%- for key in semibench.inferencemax_point_key_columns() %}
    diffs.{{ key }},
    {%- endfor %}
    diffs.change_type,
    diffs.changed_fields,
    diffs.old_match_status,
    diffs.new_match_status,
    {%- for m in ['interactivity_x', 'interactivity_y', 'e2e_x', 'e2e_y'] %}
    diffs.old_{{ m }},
    diffs.new_{{ m }},
    {%- endfor %}
    diffs.interactivity_y_change_pct
from {{ ref('int_inferencemax__snapshot_point_diffs') }} as diffs
inner join {{ ref('stg_inferencemax__snapshots') }} as snapshots
    on diffs.snapshot_id = snapshots.snapshot_id
inner join {{ ref('stg_inferencemax__snapshots') }} as previous_snapshots
    on diffs.previous_snapshot_id = previous_snapshots.snapshot_id
