-- Hardware keys present in the data but missing from the hardware_catalog seed (after alias mapping),
-- with point counts. Unknown keys are reported, never dropped: add them to the catalog (or to
-- hardware_key_aliases when they are a rename of a known key).

with points as (

    select snapshot_id, snapshot_fetched_at, is_latest_snapshot, model_slug, hw_key, hw_key_raw
    from {{ ref('int_inferencemax__points_joined') }}

),

hardware as (

    select hw_key from {{ ref('hardware_catalog') }}

),

unknown_points as (

    select points.*
    from points
    left join hardware
        on points.hw_key = hardware.hw_key
    where hardware.hw_key is null

),

per_key as (

    select
        hw_key,
        sum(case when is_latest_snapshot then 1 else 0 end) as latest_point_count,
        count(*) as total_point_count,
        count(distinct snapshot_id) as snapshot_count,
        min(snapshot_fetched_at) as first_seen_at,
        max(snapshot_fetched_at) as last_seen_at,
        max(case when is_latest_snapshot then 1 else 0 end) = 1 as is_in_latest_snapshot
    from unknown_points
    group by hw_key

),

models as (

    select hw_key, {{ semibench.sorted_string_agg('model_slug', "', '") }} as model_slugs
    from (select distinct hw_key, model_slug from unknown_points) as distinct_models
    group by hw_key

),

raw_spellings as (

    select hw_key, {{ semibench.sorted_string_agg('hw_key_raw', "', '") }} as hw_keys_raw
    from (select distinct hw_key, hw_key_raw from unknown_points) as distinct_spellings
    group by hw_key

)

select
    per_key.hw_key,
    raw_spellings.hw_keys_raw,
    models.model_slugs,
    per_key.latest_point_count,
    per_key.total_point_count,
    per_key.snapshot_count,
    per_key.is_in_latest_snapshot,
    per_key.first_seen_at,
    per_key.last_seen_at
from per_key
inner join models
    on per_key.hw_key = models.hw_key
inner join raw_spellings
    on per_key.hw_key = raw_spellings.hw_key
