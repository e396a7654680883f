{#
  Every dated InferenceMAX/InferenceX benchmark result from the three sources, one row per result and
  source family, with typed metrics (docs/inferencex.md, "Data model"):
    * api: InferenceX `benchmarks`, `benchmarks/history` and db dumps, one row per result key (config x
      benchmark_type x isl x osl x conc x run id x attempt x date) however many routes and captures served
      it (its current value; older values are in int_inferencex__result_revisions);
      source 'api_benchmarks' / 'api_history' / 'db_dump' = the route that serves the current value,
      benchmarks first;
    * agg_bmk: the run artifacts (agg_bmk.json); is_duplicate_of_api marks one whose run, config, isl, osl
      and conc the API also serves (the reconcile test compares them; "latest" uses the API's);
    * dashboard: the October-2025 dashboard points, the snapshot as their run (no run id).
  Latencies in seconds (the sources' unit) and ms; interactivity in tok/s/user; power in W per GPU.
  is_power_valid: measured avg_power_w > 0 and, for a single-node config whose source gives
  joules_per_output_token, that agrees with avg_power_w / output_tput_per_gpu within 1% (a cross-check of
  two reported figures). Disaggregated configs measure prefill and decode power apart
  (prefill_/decode_avg_power_w), so their reported joules are taken as given.
  config_key is null where the config could not be mapped (mart_inferencex__unmapped_results).
#}
{%- set lat = semibench.inferencex_latency_metrics() -%}
{%- set double = semibench.type_double() -%}

with api_versions as (

    select * from {{ ref('int_inferencex__api_result_versions') }}
    where is_current

),

api as (

    select
        v.result_key,
        'api' as source_family,
        case when v.seen_in_benchmarks then 'api_benchmarks' when v.seen_in_history then 'api_history'
            else 'db_dump' end as source,
        r.config_key,
        {{ dbt.cast('null', dbt.type_string()) }} as config_problems,
        r.benchmark_type,
        r.isl,
        r.osl,
        r.conc,
        r.result_date,
        r.github_run_id,
        r.run_attempt,
        {{ dbt.cast('null', dbt.type_string()) }} as snapshot_id,
        r.run_url,
        r.image,
        r.is_success,
        r.error,
        r.is_official,
        false as is_duplicate_of_api,
        r.tput_per_gpu,
        r.output_tput_per_gpu,
        r.input_tput_per_gpu,
        {%- for m in lat %}
        r.{{ m }},
        {%- endfor %}
        r.mean_intvty,
        r.median_intvty,
        r.p90_intvty,
        r.p99_intvty,
        r.avg_power_w,
        r.joules_per_output_token,
        r.joules_per_total_token,
        v.version_count,
        v.first_seen_at,
        v.last_seen_at,
        v.is_missing_from_latest_capture
    from api_versions as v
    inner join {{ ref('stg_inferencex__benchmark_results') }} as r
        on v.result_id = r.result_id

),

api_keys as (

    select distinct config_key, github_run_id, isl, osl, conc
    from api

),

agg as (

    select
        a.*,
        {{ dbt.hash(dbt.concat(["'agg_bmk|'", "coalesce(a.config_key, a.record_sha256)", "'|'",
            dbt.cast('a.isl', dbt.type_string()), "'|'", dbt.cast('a.osl', dbt.type_string()), "'|'",
            dbt.cast('a.conc', dbt.type_string()), "'|'", "coalesce(a.github_run_id, '')"])) }} as result_key,
        api_keys.config_key is not null as is_duplicate_of_api
    from {{ ref('int_inferencex__agg_results') }} as a
    left join api_keys
        on a.config_key = api_keys.config_key
        and a.github_run_id = api_keys.github_run_id
        and a.isl = api_keys.isl and a.osl = api_keys.osl and a.conc = api_keys.conc

),

unioned as (

    select * from api

    union all

    select
        result_key,
        'agg_bmk' as source_family,
        'agg_bmk' as source,
        config_key,
        config_problems,
        {{ dbt.cast('null', dbt.type_string()) }} as benchmark_type,
        isl,
        osl,
        conc,
        result_date,
        github_run_id,
        run_attempt,
        {{ dbt.cast('null', dbt.type_string()) }} as snapshot_id,
        {{ dbt.cast('null', dbt.type_string()) }} as run_url,
        image,
        true as is_success,
        {{ dbt.cast('null', dbt.type_string()) }} as error,
        -- the artifacts of InferenceX's own workflow runs
        true as is_official,
        is_duplicate_of_api,
        tput_per_gpu,
        output_tput_per_gpu,
        input_tput_per_gpu,
        {%- for m in lat %}
        {{ m }},
        {%- endfor %}
        mean_intvty,
        median_intvty,
        p90_intvty,
        p99_intvty,
        {{ dbt.cast('null', double) }} as avg_power_w,
        {{ dbt.cast('null', double) }} as joules_per_output_token,
        {{ dbt.cast('null', double) }} as joules_per_total_token,
        1 as version_count,
        {{ dbt.cast('null', dbt.type_timestamp()) }} as first_seen_at,
        {{ dbt.cast('null', dbt.type_timestamp()) }} as last_seen_at,
        false as is_missing_from_latest_capture
    from agg

    union all

    select
        {{ dbt.hash(dbt.concat(["'dashboard|'", 'snapshot_id', "'|'", 'point_key'])) }} as result_key,
        'dashboard' as source_family,
        'dashboard' as source,
        config_key,
        config_problems,
        {{ dbt.cast('null', dbt.type_string()) }} as benchmark_type,
        isl,
        osl,
        conc,
        result_date,
        {{ dbt.cast('null', dbt.type_string()) }} as github_run_id,
        {{ dbt.cast('null', dbt.type_int()) }} as run_attempt,
        snapshot_id,
        run_url,
        {{ dbt.cast('null', dbt.type_string()) }} as image,
        true as is_success,
        {{ dbt.cast('null', dbt.type_string()) }} as error,
        -- published on the official dashboard
        true as is_official,
        false as is_duplicate_of_api,
        tput_per_gpu,
        output_tput_per_gpu,
        input_tput_per_gpu,
        {%- for m in lat %}
        {{ m }},
        {%- endfor %}
        mean_intvty,
        median_intvty,
        p90_intvty,
        p99_intvty,
        {{ dbt.cast('null', double) }} as avg_power_w,
        {{ dbt.cast('null', double) }} as joules_per_output_token,
        {{ dbt.cast('null', double) }} as joules_per_total_token,
        1 as version_count,
        {{ dbt.cast('null', dbt.type_timestamp()) }} as first_seen_at,
        {{ dbt.cast('null', dbt.type_timestamp()) }} as last_seen_at,
        false as is_missing_from_latest_capture
    from {{ ref('int_inferencex__dashboard_results') }}
    where not is_partial

),

attempts as (

    select github_run_id, max(run_attempt) as max_attempt
    from (
        select github_run_id, run_attempt from {{ ref('stg_inferencex__workflow_runs') }}
        union all
        select github_run_id, run_attempt from {{ ref('stg_inferencex__benchmark_results') }}
    ) as seen
    where github_run_id is not null
    group by github_run_id

)

select
    unioned.result_key,
    unioned.source_family,
    unioned.source,
    unioned.config_key,
    unioned.config_problems,
    configs.model,
    configs.model_display_name,
    configs.vendor,
    configs.hardware,
    configs.framework,
    configs.precision,
    configs.spec_method,
    configs.disagg,
    configs.is_multinode,
    configs.num_gpus,
    unioned.benchmark_type,
    unioned.isl,
    unioned.osl,
    unioned.conc,
    unioned.result_date,
    unioned.github_run_id,
    unioned.run_attempt,
    unioned.github_run_id is null or unioned.run_attempt is null
        or unioned.run_attempt >= coalesce(attempts.max_attempt, unioned.run_attempt) as is_latest_attempt,
    unioned.snapshot_id,
    unioned.run_url,
    unioned.image,
    unioned.is_success,
    unioned.error,
    unioned.is_official,
    unioned.is_duplicate_of_api,
    unioned.tput_per_gpu,
    unioned.output_tput_per_gpu,
    unioned.input_tput_per_gpu,
    unioned.mean_intvty,
    unioned.median_intvty,
    unioned.p90_intvty,
    unioned.p99_intvty,
    {%- for m in lat %}
    unioned.{{ m }} as {{ m }}_s,
    unioned.{{ m }} * 1000 as {{ m }}_ms,
    {%- endfor %}
    unioned.avg_power_w,
    unioned.joules_per_output_token,
    unioned.joules_per_total_token,
    coalesce(
        unioned.avg_power_w > 0 and unioned.tput_per_gpu > 0
        and (unioned.joules_per_output_token is null or configs.disagg
             or abs(unioned.joules_per_output_token - unioned.avg_power_w / unioned.output_tput_per_gpu)
                <= 0.01 * unioned.joules_per_output_token),
        false) as is_power_valid,
    unioned.version_count,
    unioned.version_count > 1 as is_revised,
    unioned.first_seen_at,
    unioned.last_seen_at,
    unioned.is_missing_from_latest_capture
from unioned
left join {{ ref('dim_inferencemax_configs') }} as configs
    on unioned.config_key = configs.config_key
left join attempts
    on unioned.github_run_id = attempts.github_run_id
