-- Every landed InferenceX record with its lineage: the capture that first brought it is its batch.
select
    record_kind,
    record_sha256,
    record,
    problems,
    notes,
    capture_id as batch_id,
    source_file,
    record_locator,
    fetched_at,
    loaded_at
from {{ source('inferencex', 'inferencex_records') }}
