{#
  Every raw hardware string seen -> GPU key, by the seeds: a trailing `_<n>` runner index is removed, then
  the rest must be a known GPU key followed by one known runner suffix (inferencex_hardware_suffixes). No
  match = unknown (gpu_key null): the value is listed in stg_inferencex__unknown_values, never guessed.
#}
with seen as (

    -- the benchmark-bearing records (the bulk) are parsed once, in base_inferencex__parsed_records
    select distinct lower(trim(j_hardware)) as hardware_raw
    from {{ ref('base_inferencex__parsed_records') }}
    where record_kind in ('benchmarks', 'benchmarks_history', 'evaluations', 'dump_configs')

    union

    select distinct lower(trim({{ semibench.json_text('record', '$.hardware') }})) as hardware_raw
    from {{ ref('base_inferencex__records') }}
    where record_kind in ('availability', 'reliability', 'dump_run_stats', 'dump_availability')

),

spellings as (

    select
        gpus.gpu_key,
        gpus.vendor,
        concat(gpus.gpu_key, coalesce(suffixes.suffix, '')) as spelled
    from {{ ref('inferencex_gpus') }} as gpus
    cross join {{ ref('inferencex_hardware_suffixes') }} as suffixes

)

select
    seen.hardware_raw,
    spellings.gpu_key,
    spellings.vendor
from seen
left join spellings
    on regexp_replace(seen.hardware_raw, '_[0-9]+$', '') = spellings.spelled
where seen.hardware_raw is not null
