-- Valid InferenceMAX points (both data types, every snapshot): the typed base rows that passed every
-- check (invalid_reason is null).

select
    {{ semibench.star_except(ref('base_inferencemax__points'), ['invalid_reason', 'invalid_record']) }}
from {{ ref('base_inferencemax__points') }}
where invalid_reason is null
