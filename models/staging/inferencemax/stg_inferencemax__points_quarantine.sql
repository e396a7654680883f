-- Points landed but quarantined (kept out of the marts), with every reason and the verbatim JSON record.
-- The first seven columns are the quarantine shape every family shares (family, batch_id, source_file,
-- record_locator, reasons, record_json, landed_at); the rest are InferenceMAX detail for diagnosis.

select
    'inferencemax' as family,
    snapshot_id as batch_id,
    source_file,
    {{ dbt.concat(["'record '", dbt.cast('record_index', dbt.type_string())]) }} as record_locator,
    invalid_reason as reasons,
    invalid_record as record_json,
    loaded_at as landed_at,
    point_id,
    snapshot_id,
    model_slug,
    sequence_slug,
    data_type,
    record_index,
    record_sha256,
    hw_key,
    hw_key_raw,
    precision,
    tp,
    conc,
    point_date,
    x,
    y,
    notes,
    fetched_at
from {{ ref('base_inferencemax__points') }}
where invalid_reason is not null
