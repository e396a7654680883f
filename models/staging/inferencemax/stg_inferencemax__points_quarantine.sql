-- Points that failed validation, with the reason(s) and the verbatim JSON record for diagnosis.
-- Quarantined points are reported here, never silently dropped.

select
    point_id,
    snapshot_id,
    source_file,
    model_slug,
    sequence_slug,
    data_type,
    record_index,
    record_sha256,
    invalid_reason,
    hw_key,
    hw_key_raw,
    precision,
    tp,
    conc,
    point_date,
    x,
    y,
    invalid_record as record,
    fetched_at,
    loaded_at
from {{ ref('base_inferencemax__points') }}
where invalid_reason is not null
