{#
  Every accuracy-evaluation record (API evaluations with the config inline; the dump's eval_results joined
  to its configs), typed, with invalid_reason (null = valid). Scores are fractions (em_strict 0.95 = 95 %).
#}
{%- set double = semibench.type_double() -%}
{%- set metrics = ['em_strict', 'em_strict_se', 'em_flexible', 'em_flexible_se', 'n_eff', 'score', 'score_se'] -%}
{%- set metric_spec = {} -%}
{%- for m in metrics -%}{%- do metric_spec.update({m: 'varchar'}) -%}{%- endfor -%}
{%- set spec = {'task': 'varchar', 'date': 'varchar', 'isl': 'varchar', 'osl': 'varchar', 'conc': 'varchar',
                'run_url': 'varchar', 'timestamp': 'varchar', 'config_id': 'varchar', 'lm_eval_version': 'varchar',
                'workflow_run_id': 'varchar', 'metrics': metric_spec} -%}

with records as (

    select *, {{ semibench.json_struct('record', spec) }} as j
    from {{ ref('base_inferencex__records') }}
    where record_kind in ('evaluations', 'dump_eval_results')

),

configs as (

    select * from {{ ref('base_inferencex__config_records') }}
    where record_kind in ('evaluations', 'dump_configs')

),

typed as (

    select
        records.*,
        case when records.record_kind = 'evaluations' then 'evaluations' else 'dump' end as source_route,
        c.config_key,
        c.hardware,
        c.framework,
        c.model,
        c.precision,
        c.spec_method,
        c.disagg,
        c.config_problems,
        case when c.record_sha256 is null then 'config not found' end as config_missing,
        lower(trim(j.task)) as task,
        {{ semibench.try_cast('substring(j.date, 1, 10)', 'date') }} as eval_date,
        {{ semibench.try_cast('j.isl', dbt.type_int()) }} as isl,
        {{ semibench.try_cast('j.osl', dbt.type_int()) }} as osl,
        {{ semibench.try_cast('j.conc', dbt.type_int()) }} as conc,
        j.run_url as run_url,
        j.lm_eval_version as lm_eval_version,
        {%- for m in metrics %}
        {{ semibench.try_cast('j.metrics.' ~ m, double) }} as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from records
    left join configs as c
        on (records.record_kind = 'evaluations' and c.record_kind = 'evaluations'
            and records.record_sha256 = c.record_sha256)
        or (records.record_kind = 'dump_eval_results' and c.record_kind = 'dump_configs'
            and {{ semibench.try_cast('records.j.config_id', dbt.type_bigint()) }} = c.dump_config_id)

)

select
    {{ dbt.hash(dbt.concat(['record_kind', "'|'", 'record_sha256'])) }} as eval_id,
    source_route,
    config_key,
    hardware,
    framework,
    model,
    precision,
    spec_method,
    disagg,
    task,
    eval_date,
    isl,
    osl,
    conc,
    nullif(regexp_extract(run_url, '/runs/([0-9]+)', 1), '') as github_run_id,
    run_url,
    lm_eval_version,
    {%- for m in metrics %}
    {{ m }},
    {%- endfor %}
    true as is_official,
    notes,
    nullif(concat_ws('; ',
        problems, config_problems, config_missing,
        case when eval_date is null then 'date missing or not a date' end,
        case when task is null or task = '' then 'task missing' end
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
