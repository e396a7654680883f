-- Valid InferenceX accuracy evaluations (e.g. gsm8k em_strict per config); invalid ones are quarantined.
select * from {{ ref('base_inferencex__evaluations') }}
where invalid_reason is null
