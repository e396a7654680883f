{#
  Every benchmark result record, valid or not, typed, with `invalid_reason` (null = valid):
    * source_route 'benchmarks' / 'history': API rows, config inline, run from run_url
      (.../actions/runs/<id>/attempts/<n>); the API does not return benchmark_type, so it is null there;
    * source_route 'dump': the db dump's benchmark_results joined to its configs and workflow_runs by id;
      rows with an `error` are kept (is_success false), every run attempt is kept.
  Metrics are seconds / tokens per second / watts / joules as the source has them. p99.9 is p99_9.
#}
-- a table, not a view: every staging view, mart and data test reads it, and as a view each of them re-ran
-- its casts and seed joins over the whole history
{{ config(materialized='table') }}
{%- set double = semibench.type_double() -%}
{%- set metrics = semibench.inferencex_parsed_metrics() -%}

with records as (

    -- JSON parsed once per record (base_inferencex__parsed_records): text columns j_<field>, jm_<metric>
    select * from {{ ref('base_inferencex__parsed_records') }}
    where record_kind in ('benchmarks', 'benchmarks_history', 'dump_benchmark_results')

),

dump_runs as (

    select
        {{ semibench.try_cast('j_id', dbt.type_bigint()) }} as dump_run_id,
        j_github_run_id as github_run_id,
        {{ semibench.try_cast('j_run_attempt', dbt.type_int()) }} as run_attempt,
        j_html_url as html_url
    from {{ ref('base_inferencex__parsed_records') }}
    where record_kind = 'dump_workflow_runs'

),

dump_configs as (

    select * from {{ ref('base_inferencex__config_records') }}
    where record_kind = 'dump_configs'

),

joined as (

    select
        records.record_kind,
        records.record_sha256,
        records.batch_id,
        records.source_file,
        records.record_locator,
        records.record,
        records.problems,
        records.notes,
        records.fetched_at,
        records.loaded_at,
        {%- for f in ['benchmark_type', 'isl', 'osl', 'conc', 'date', 'image', 'error'] %}
        records.j_{{ f }},
        {%- endfor %}
        {%- for m in metrics %}
        records.jm_{{ m | replace('.', '_') }},
        {%- endfor %}
        case records.record_kind when 'benchmarks' then 'benchmarks' when 'benchmarks_history' then 'history'
            else 'dump' end as source_route,
        coalesce(inline.config_key, dumped.config_key) as config_key,
        case when records.record_kind = 'dump_benchmark_results' then dumped.config_problems
            else inline.config_problems end as config_problems,
        case when records.record_kind = 'dump_benchmark_results' and dumped.record_sha256 is null
            then concat('config_id ', coalesce(records.j_config_id, 'null'), ' not in the dump''s configs') end
            as dump_config_problem,
        {%- for c in ['hardware', 'framework', 'model', 'precision', 'spec_method', 'disagg', 'is_multinode',
                      'prefill_tp', 'prefill_ep', 'prefill_dp_attention', 'prefill_num_workers', 'decode_tp',
                      'decode_ep', 'decode_dp_attention', 'decode_num_workers', 'num_prefill_gpu', 'num_decode_gpu',
                      'vendor', 'hardware_raw', 'framework_raw', 'model_raw'] %}
        coalesce(inline.{{ c }}, dumped.{{ c }}) as {{ c }},
        {%- endfor %}
        case when records.record_kind = 'dump_benchmark_results'
            then case when dump_runs.html_url is not null
                then concat(dump_runs.html_url, '/attempts/', {{ dbt.cast('dump_runs.run_attempt', dbt.type_string()) }}) end
            else records.j_run_url end as run_url,
        dump_runs.github_run_id as dump_github_run_id,
        dump_runs.run_attempt as dump_run_attempt
    from records
    left join {{ ref('base_inferencex__config_records') }} as inline
        on records.record_kind = inline.record_kind
        and records.record_sha256 = inline.record_sha256
        and records.record_kind <> 'dump_benchmark_results'
    left join dump_configs as dumped
        on records.record_kind = 'dump_benchmark_results'
        and {{ semibench.try_cast('records.j_config_id', dbt.type_bigint()) }} = dumped.dump_config_id
    left join dump_runs
        on records.record_kind = 'dump_benchmark_results'
        and {{ semibench.try_cast('records.j_workflow_run_id', dbt.type_bigint()) }} = dump_runs.dump_run_id

),

typed as (

    select
        joined.*,
        nullif(lower(trim(j_benchmark_type)), '') as benchmark_type,
        {{ semibench.try_cast('j_isl', dbt.type_int()) }} as isl,
        {{ semibench.try_cast('j_osl', dbt.type_int()) }} as osl,
        {{ semibench.try_cast('j_conc', dbt.type_int()) }} as conc,
        {{ semibench.try_cast('substring(j_date, 1, 10)', 'date') }} as result_date,
        j_image as image,
        j_error as error,
        coalesce(dump_github_run_id, nullif(regexp_extract(run_url, '/runs/([0-9]+)', 1), '')) as github_run_id,
        coalesce(dump_run_attempt,
                 {{ semibench.try_cast("nullif(regexp_extract(run_url, '/attempts/([0-9]+)', 1), '')", dbt.type_int()) }})
            as run_attempt,
        {%- for m in metrics %}
        {{ semibench.try_cast('jm_' ~ (m | replace('.', '_')), double) }} as {{ m | replace('.', '_') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from joined

)

select
    {{ dbt.hash(dbt.concat(['record_kind', "'|'", 'record_sha256'])) }} as result_id,
    source_route,
    config_key,
    hardware,
    framework,
    model,
    precision,
    spec_method,
    disagg,
    is_multinode,
    prefill_tp,
    prefill_ep,
    prefill_dp_attention,
    prefill_num_workers,
    decode_tp,
    decode_ep,
    decode_dp_attention,
    decode_num_workers,
    num_prefill_gpu,
    num_decode_gpu,
    vendor,
    benchmark_type,
    isl,
    osl,
    conc,
    result_date,
    github_run_id,
    run_attempt,
    run_url,
    image,
    error,
    error is null as is_success,
    true as is_official,
    {%- for m in metrics %}
    {{ m | replace('.', '_') }},
    {%- endfor %}
    hardware_raw,
    framework_raw,
    model_raw,
    notes,
    nullif(concat_ws('; ',
        problems,
        config_problems,
        dump_config_problem,
        case when isl is null or osl is null or conc is null then 'isl/osl/conc missing or not integers' end,
        case when result_date is null then 'date missing or not a date' end,
        case when error is null and tput_per_gpu is null then 'metrics.tput_per_gpu missing' end
    ), '') as invalid_reason,
    record_kind,
    record_sha256,
    batch_id,
    source_file,
    record_locator,
    record,
    fetched_at,
    loaded_at
from typed
