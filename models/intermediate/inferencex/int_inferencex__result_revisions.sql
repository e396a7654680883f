{#
  Revisions: a result key (same config, type, isl, osl, conc, run, attempt, date) served with a changed
  value by a later capture. One row per change, with both captures' times and the headline metrics before
  and after; both values stay in int_inferencex__api_result_versions, the newer one is current.
#}

with versions as (

    select
        versions.*,
        results.tput_per_gpu,
        results.median_intvty,
        results.error
    from {{ ref('int_inferencex__api_result_versions') }} as versions
    inner join {{ ref('stg_inferencex__benchmark_results') }} as results
        on versions.result_id = results.result_id

)

select
    {{ dbt.hash(dbt.concat(['newer.result_key', "'|'", dbt.cast('newer.version_number', dbt.type_string())])) }} as revision_id,
    newer.result_key,
    newer.version_number,
    older.value_fingerprint as previous_fingerprint,
    newer.value_fingerprint,
    older.first_seen_at as previous_first_seen_at,
    older.last_seen_at as previous_last_seen_at,
    newer.first_seen_at as revised_at,
    newer.last_seen_at,
    older.tput_per_gpu as previous_tput_per_gpu,
    newer.tput_per_gpu,
    older.median_intvty as previous_median_intvty,
    newer.median_intvty,
    older.error as previous_error,
    newer.error,
    newer.is_current
from versions as newer
inner join versions as older
    on newer.result_key = older.result_key
    and older.version_number = newer.version_number - 1
