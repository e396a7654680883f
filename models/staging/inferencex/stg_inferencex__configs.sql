-- One row per normalised InferenceX config (the 17-field natural key), wherever it was seen: API results,
-- API evaluations, the dump's configs table. Configs that could not be normalised are not here (their
-- records are in stg_inferencex__quarantine).
select
    config_key,
    max(hardware) as hardware,
    max(framework) as framework,
    max(model) as model,
    max(precision) as precision,
    max(spec_method) as spec_method,
    {{ dbt.bool_or('disagg') }} as disagg,
    {{ dbt.bool_or('is_multinode') }} as is_multinode,
    max(prefill_tp) as prefill_tp,
    max(prefill_ep) as prefill_ep,
    {{ dbt.bool_or('prefill_dp_attention') }} as prefill_dp_attention,
    max(prefill_num_workers) as prefill_num_workers,
    max(decode_tp) as decode_tp,
    max(decode_ep) as decode_ep,
    {{ dbt.bool_or('decode_dp_attention') }} as decode_dp_attention,
    max(decode_num_workers) as decode_num_workers,
    max(num_prefill_gpu) as num_prefill_gpu,
    max(num_decode_gpu) as num_decode_gpu,
    case when {{ dbt.bool_or('disagg') }} then max(num_prefill_gpu) + max(num_decode_gpu)
        else max(num_decode_gpu) end as num_gpus,
    max(vendor) as vendor,
    count(*) as record_count
from {{ ref('base_inferencex__config_records') }}
where config_key is not null
group by config_key
