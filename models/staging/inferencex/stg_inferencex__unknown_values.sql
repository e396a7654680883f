-- Hardware, framework and model values the normalisation seeds do not know, with where and when they were
-- first seen and how many records carry them. Every such value lands (its records are quarantined, not
-- dropped or guessed); add a seed row (seeds/inferencex_*.csv) once its meaning is known.
with seen as (

    select 'hardware' as kind, hardware_raw as value, record_kind, result_date as data_date, fetched_at
    from {{ ref('base_inferencex__benchmark_results') }} where hardware is null and hardware_raw is not null
    union all
    select 'framework', framework_raw, record_kind, result_date, fetched_at
    from {{ ref('base_inferencex__benchmark_results') }} where framework is null and framework_raw is not null
    union all
    select 'model', model_raw, record_kind, result_date, fetched_at
    from {{ ref('base_inferencex__benchmark_results') }} where model is null and model_raw is not null
    union all
    select 'hardware', hardware_raw, record_kind, available_date, fetched_at
    from {{ ref('base_inferencex__availability') }} where hardware is null and hardware_raw is not null
    union all
    select 'framework', framework_raw, record_kind, available_date, fetched_at
    from {{ ref('base_inferencex__availability') }} where framework is null and framework_raw is not null
    union all
    select 'model', model_raw, record_kind, available_date, fetched_at
    from {{ ref('base_inferencex__availability') }} where model is null and model_raw is not null
    union all
    select 'hardware', hardware_raw, record_kind, stat_date, fetched_at
    from {{ ref('base_inferencex__reliability') }} where hardware is null and hardware_raw is not null
    union all
    select 'hardware', c.hardware_raw, c.record_kind, e.eval_date, e.fetched_at
    from {{ ref('base_inferencex__config_records') }} as c
    inner join {{ ref('base_inferencex__evaluations') }} as e
        on c.record_kind = e.record_kind and c.record_sha256 = e.record_sha256
    where c.hardware is null and c.hardware_raw is not null
    union all
    select 'framework', c.framework_raw, c.record_kind, e.eval_date, e.fetched_at
    from {{ ref('base_inferencex__config_records') }} as c
    inner join {{ ref('base_inferencex__evaluations') }} as e
        on c.record_kind = e.record_kind and c.record_sha256 = e.record_sha256
    where c.framework is null and c.framework_raw is not null
    union all
    select 'model', c.model_raw, c.record_kind, e.eval_date, e.fetched_at
    from {{ ref('base_inferencex__config_records') }} as c
    inner join {{ ref('base_inferencex__evaluations') }} as e
        on c.record_kind = e.record_kind and c.record_sha256 = e.record_sha256
    where c.model is null and c.model_raw is not null
    union all
    -- dump configs: the config row itself (its results are counted above)
    select 'hardware', hardware_raw, record_kind, cast(null as date), cast(null as timestamp)
    from {{ ref('base_inferencex__config_records') }}
    where record_kind = 'dump_configs' and hardware is null and hardware_raw is not null
    union all
    select 'framework', framework_raw, record_kind, cast(null as date), cast(null as timestamp)
    from {{ ref('base_inferencex__config_records') }}
    where record_kind = 'dump_configs' and framework is null and framework_raw is not null
    union all
    select 'model', model_raw, record_kind, cast(null as date), cast(null as timestamp)
    from {{ ref('base_inferencex__config_records') }}
    where record_kind = 'dump_configs' and model is null and model_raw is not null

)

select
    kind,
    value,
    min(data_date) as first_seen_date,
    min(fetched_at) as first_fetched_at,
    count(*) as record_count,
    {{ semibench.sorted_list_agg('record_kind', distinct=true) }} as record_kinds
from seen
group by kind, value
