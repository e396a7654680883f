{#
  Every time an InferenceX API/dump benchmark result was served: one row per (result record, capture, file)
  from raw.inferencex_capture_records, with the capture's fetch time and the "feed" (route + request
  parameters) that served it. A record repeated by a later capture is stored once in raw but sighted
  twice here, which is what tells a result still served from one that disappeared.

  result_key: the result's natural key as InferenceX defines it, (config, benchmark_type, isl, osl, conc,
  run id, run attempt) plus its date; the same result from `benchmarks` and `benchmarks/history` has one
  result_key. value_fingerprint: a hash of the metrics both routes keep (history drops mean_/std_ and image)
  and the error, so two sightings with the same key and a different fingerprint are a revision.
#}
{%- set fp = semibench.inferencex_fingerprint_metrics() -%}

with results as (

    select * from {{ ref('stg_inferencex__benchmark_results') }}

),

keyed as (

    select
        results.*,
        {{ dbt.hash(dbt.concat([
            'config_key', "'|'", "coalesce(benchmark_type, '')", "'|'",
            dbt.cast('isl', dbt.type_string()), "'|'", dbt.cast('osl', dbt.type_string()), "'|'",
            dbt.cast('conc', dbt.type_string()), "'|'", "coalesce(github_run_id, '')", "'|'",
            "coalesce(" ~ dbt.cast('run_attempt', dbt.type_string()) ~ ", '')", "'|'",
            dbt.cast('result_date', dbt.type_string())])) }} as result_key,
        {%- set parts = ["coalesce(error, '')"] -%}
        {%- for m in fp -%}
            {%- do parts.extend(["'|'", "coalesce(" ~ dbt.cast(m, dbt.type_string()) ~ ", '')"]) -%}
        {%- endfor %}
        {{ dbt.hash(dbt.concat(parts)) }} as value_fingerprint
    from results

)

select
    keyed.result_key,
    keyed.value_fingerprint,
    keyed.result_id,
    keyed.source_route,
    seen.capture_id,
    seen.source_file,
    files.route,
    concat(files.route, ' ', {{ dbt.cast('files.params', dbt.type_string()) }}) as feed,
    captures.fetched_at as captured_at
from keyed
inner join {{ source('inferencex', 'inferencex_capture_records') }} as seen
    on keyed.record_kind = seen.record_kind
    and keyed.record_sha256 = seen.record_sha256
inner join {{ source('inferencex', 'inferencex_files') }} as files
    on seen.capture_id = files.capture_id
    and seen.source_file = files.source_file
inner join {{ source('inferencex', 'inferencex_captures') }} as captures
    on seen.capture_id = captures.capture_id
