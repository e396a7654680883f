-- InferenceX records kept out of the clean staging models, verbatim, with every reason: problems the
-- ingester found (missing fields, non-numeric metrics, wrong types) and normalisation misses found here
-- (unknown hardware / framework / model, a dump result whose config is missing). Issue-10 quarantine
-- columns first; nothing is dropped silently.
with invalid as (

    select record_kind, record_sha256, invalid_reason as reasons
    from {{ ref('base_inferencex__benchmark_results') }} where invalid_reason is not null
    union all
    select record_kind, record_sha256, invalid_reason
    from {{ ref('base_inferencex__evaluations') }} where invalid_reason is not null
    union all
    select record_kind, record_sha256, invalid_reason
    from {{ ref('base_inferencex__availability') }} where invalid_reason is not null
    union all
    select record_kind, record_sha256, invalid_reason
    from {{ ref('base_inferencex__reliability') }} where invalid_reason is not null
    union all
    -- a dump config that cannot be normalised (its results are quarantined above as well)
    select c.record_kind, c.record_sha256, nullif(concat_ws('; ', r.problems, c.config_problems), '')
    from {{ ref('base_inferencex__config_records') }} as c
    inner join {{ ref('base_inferencex__records') }} as r
        on c.record_kind = r.record_kind and c.record_sha256 = r.record_sha256
    where c.record_kind = 'dump_configs' and (c.config_problems is not null or r.problems is not null)
    union all
    -- kinds without a typed base model: the ingester's findings only
    select record_kind, record_sha256, problems
    from {{ ref('base_inferencex__records') }}
    where problems is not null
      and record_kind not in ('benchmarks', 'benchmarks_history', 'dump_benchmark_results', 'evaluations',
                              'dump_eval_results', 'availability', 'dump_availability', 'reliability',
                              'dump_run_stats', 'dump_configs')

)

select
    'inferencex' as family,
    records.batch_id,
    records.source_file,
    concat('record ', records.record_locator) as record_locator,
    invalid.reasons,
    {{ dbt.cast('records.record', dbt.type_string()) }} as record_json,
    records.loaded_at as landed_at,
    records.record_kind,
    records.record_sha256,
    records.fetched_at
from invalid
inner join {{ ref('base_inferencex__records') }} as records
    on invalid.record_kind = records.record_kind and invalid.record_sha256 = records.record_sha256
