-- Valid InferenceMAX points (both data types, every snapshot): the typed base rows that passed every
-- check (invalid_reason is null). snapshot_batch_key and dbt_invocation_id are the base model's
-- incremental bookkeeping, not data.

select
    {{ semibench.star_except(ref('base_inferencemax__points'), ['invalid_reason', 'invalid_record', 'snapshot_batch_key', 'dbt_invocation_id']) }}
from {{ ref('base_inferencemax__points') }}
where invalid_reason is null
