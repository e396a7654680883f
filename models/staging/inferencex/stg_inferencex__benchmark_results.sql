-- The valid InferenceX benchmark results (API benchmarks, API history, db dump), typed and normalised; one
-- row per distinct record. Rows with an invalid_reason are in stg_inferencex__quarantine instead.
select * from {{ ref('base_inferencex__benchmark_results') }}
where invalid_reason is null
