{#
  Every benchmark result record, valid or not, typed, with `invalid_reason` (null = valid):
    * source_route 'benchmarks' / 'history': API rows, config inline, run from run_url
      (.../actions/runs/<id>/attempts/<n>); the API does not return benchmark_type, so it is null there;
    * source_route 'dump': the db dump's benchmark_results joined to its configs and workflow_runs by id;
      rows with an `error` are kept (is_success false), every run attempt is kept.
  Metrics are seconds / tokens per second / watts / joules as the source has them. p99.9 is p99_9.
#}
{%- set double = semibench.type_double() -%}
{%- set metrics = ['tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu', 'avg_power_w', 'prefill_avg_power_w',
                   'decode_avg_power_w', 'avg_util_pct', 'avg_mem_used_mb', 'joules_per_output_token',
                   'joules_per_input_token', 'joules_per_total_token'] -%}
{%- for m in ['ttft', 'tpot', 'itl', 'e2el', 'intvty'] -%}
    {%- for s in ['mean', 'median', 'p90', 'p99', 'p99.9', 'std'] -%}
        {%- do metrics.append(s ~ '_' ~ m) -%}
    {%- endfor -%}
{%- endfor -%}
{%- set metric_spec = {} -%}
{%- for m in metrics -%}{%- do metric_spec.update({m: 'varchar'}) -%}{%- endfor -%}
{%- set spec = {'isl': 'varchar', 'osl': 'varchar', 'conc': 'varchar', 'date': 'varchar', 'run_url': 'varchar',
                'image': 'varchar', 'benchmark_type': 'varchar', 'error': 'varchar', 'config_id': 'varchar',
                'workflow_run_id': 'varchar', 'id': 'varchar', 'metrics': metric_spec} -%}

with records as (

    select
        *,
        {{ semibench.json_struct('record', spec) }} as j
    from {{ ref('base_inferencex__records') }}
    where record_kind in ('benchmarks', 'benchmarks_history', 'dump_benchmark_results')

),

dump_runs as (

    select
        {{ semibench.try_cast(semibench.json_text('record', '$.id'), dbt.type_bigint()) }} as dump_run_id,
        {{ semibench.json_text('record', '$.github_run_id') }} as github_run_id,
        {{ semibench.try_cast(semibench.json_text('record', '$.run_attempt'), dbt.type_int()) }} as run_attempt,
        {{ semibench.json_text('record', '$.html_url') }} as html_url
    from {{ ref('base_inferencex__records') }}
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
        records.j,
        case records.record_kind when 'benchmarks' then 'benchmarks' when 'benchmarks_history' then 'history'
            else 'dump' end as source_route,
        coalesce(inline.config_key, dumped.config_key) as config_key,
        case when records.record_kind = 'dump_benchmark_results' then dumped.config_problems
            else inline.config_problems end as config_problems,
        case when records.record_kind = 'dump_benchmark_results' and dumped.record_sha256 is null
            then concat('config_id ', coalesce(records.j.config_id, 'null'), ' not in the dump''s configs') end
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
            else records.j.run_url end as run_url,
        dump_runs.github_run_id as dump_github_run_id,
        dump_runs.run_attempt as dump_run_attempt
    from records
    left join {{ ref('base_inferencex__config_records') }} as inline
        on records.record_kind = inline.record_kind
        and records.record_sha256 = inline.record_sha256
        and records.record_kind <> 'dump_benchmark_results'
    left join dump_configs as dumped
        on records.record_kind = 'dump_benchmark_results'
        and {{ semibench.try_cast('records.j.config_id', dbt.type_bigint()) }} = dumped.dump_config_id
    left join dump_runs
        on records.record_kind = 'dump_benchmark_results'
        and {{ semibench.try_cast('records.j.workflow_run_id', dbt.type_bigint()) }} = dump_runs.dump_run_id

),

typed as (

    select
        joined.*,
        nullif(lower(trim(j.benchmark_type)), '') as benchmark_type,
        {{ semibench.try_cast('j.isl', dbt.type_int()) }} as isl,
        {{ semibench.try_cast('j.osl', dbt.type_int()) }} as osl,
        {{ semibench.try_cast('j.conc', dbt.type_int()) }} as conc,
        {{ semibench.try_cast('substring(j.date, 1, 10)', 'date') }} as result_date,
        j.image as image,
        j.error as error,
        coalesce(dump_github_run_id, nullif(regexp_extract(run_url, '/runs/([0-9]+)', 1), '')) as github_run_id,
        coalesce(dump_run_attempt,
                 {{ semibench.try_cast("nullif(regexp_extract(run_url, '/attempts/([0-9]+)', 1), '')", dbt.type_int()) }})
            as run_attempt,
        {%- for m in metrics %}
        {{ semibench.try_cast('j.metrics.' ~ adapter.quote(m), double) }} as {{ m | replace('.', '_') }}{{ ',' if not loop.last }}
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
