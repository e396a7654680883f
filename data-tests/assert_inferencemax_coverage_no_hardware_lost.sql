{{ config(severity='warn') }}
-- Warns for every model x sequence x hw_key that had points in the previous snapshot and has none in
-- the latest one: the silent loss of a hardware key between snapshots (e.g. the collection bug that
-- hid gpt-oss b200_trt). A rename shows up here too unless hardware_key_aliases maps it.

select
    snapshot_id,
    previous_snapshot_id,
    model_slug,
    sequence_slug,
    hw_key,
    previous_point_count
from {{ ref('mart_inferencemax__coverage') }}
where is_latest_snapshot
    and status = 'lost'
