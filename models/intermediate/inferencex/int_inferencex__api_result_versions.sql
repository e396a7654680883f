{#
  One row per (result_key, value_fingerprint): a distinct value of one InferenceX result, however many
  routes and captures served it, with the first and last capture time it was seen at. The representative
  record is the `benchmarks` one where there is one (it keeps mean_/std_ metrics and image), else the
  dump's, else history's; then the most recently captured. version_number orders a key's values by when
  they were first seen; is_current marks the value the latest capture serving the key holds.
  is_missing_from_latest_capture: no feed (route + parameters) that ever served the result still serves it
  in its latest capture; the result stays, flagged.
#}

with sightings as (

    select * from {{ ref('int_inferencex__api_result_sightings') }}

),

versions as (

    select
        result_key,
        value_fingerprint,
        min(captured_at) as first_seen_at,
        max(captured_at) as last_seen_at,
        count(distinct capture_id) as capture_count,
        {{ dbt.bool_or("source_route = 'benchmarks'") }} as seen_in_benchmarks,
        {{ dbt.bool_or("source_route = 'history'") }} as seen_in_history,
        {{ dbt.bool_or("source_route = 'dump'") }} as seen_in_dump
    from sightings
    group by result_key, value_fingerprint

),

representative as (

    select
        result_key,
        value_fingerprint,
        result_id,
        row_number() over (
            partition by result_key, value_fingerprint
            order by case source_route when 'benchmarks' then 0 when 'dump' then 1 else 2 end,
                captured_at desc, result_id
        ) as preference
    from sightings

),

latest_capture_per_feed as (

    select feed, max(captured_at) as latest_captured_at
    from sightings
    group by feed

),

-- a feed's latest capture is every capture of that feed at its latest fetch time
held_now as (

    select
        sightings.result_key,
        {{ dbt.bool_or('sightings.captured_at = latest.latest_captured_at') }} as is_served_now
    from sightings
    inner join latest_capture_per_feed as latest
        on sightings.feed = latest.feed
    group by sightings.result_key

),

ordered as (

    select
        versions.*,
        -- bigint on every engine (Spark's row_number is a 32-bit int)
        cast(row_number() over (
            partition by versions.result_key order by versions.first_seen_at, versions.last_seen_at, versions.value_fingerprint
        ) as bigint) as version_number,
        row_number() over (
            partition by versions.result_key order by versions.last_seen_at desc, versions.first_seen_at desc, versions.value_fingerprint
        ) as recency,
        count(*) over (partition by versions.result_key) as version_count
    from versions

)

select
    ordered.result_key,
    ordered.value_fingerprint,
    representative.result_id,
    ordered.version_number,
    ordered.version_count,
    ordered.recency = 1 as is_current,
    ordered.first_seen_at,
    ordered.last_seen_at,
    ordered.capture_count,
    ordered.seen_in_benchmarks,
    ordered.seen_in_history,
    ordered.seen_in_dump,
    not held_now.is_served_now as is_missing_from_latest_capture
from ordered
inner join representative
    on ordered.result_key = representative.result_key
    and ordered.value_fingerprint = representative.value_fingerprint
    and representative.preference = 1
inner join held_now
    on ordered.result_key = held_now.result_key
