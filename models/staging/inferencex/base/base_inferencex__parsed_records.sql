{#
  The benchmark-bearing InferenceX records (API benchmarks and history, evaluations, the dump's configs,
  benchmark results and workflow runs), their JSON parsed ONCE into text columns (macro
  inferencex_parsed_fields): staging types and normalises these columns instead of re-parsing JSON in every
  view and test. Incremental: a build parses only records not stored yet, or whose lineage (first capture)
  changed, or that were parsed under another field list (parse_spec); the post-hook drops records no longer
  landed (a retired capture), so the table always equals a full parse of raw.inferencex_records.
#}
{%- set kinds = ['benchmarks', 'benchmarks_history', 'evaluations', 'dump_configs', 'dump_benchmark_results',
                 'dump_workflow_runs'] -%}
{%- set fields = semibench.inferencex_parsed_fields() -%}
{%- set spec = {'metrics': {}} -%}
{%- for column, path in fields.items() -%}
    {%- if column.startswith('jm_') -%}
        {%- do spec['metrics'].update({path.split('"')[1]: 'varchar'}) -%}
    {%- else -%}
        {%- do spec.update({column[2:]: 'varchar'}) -%}
    {%- endif -%}
{%- endfor -%}
{{ config(
    materialized='incremental',
    unique_key=['record_kind', 'record_sha256'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="delete from {{ this }} as parsed where not exists (
        select 1 from {{ ref('base_inferencex__records') }} as landed
        where landed.record_kind = parsed.record_kind and landed.record_sha256 = parsed.record_sha256)"
) }}

with landed as (

    select * from {{ ref('base_inferencex__records') }} as records
    where record_kind in ('{{ kinds | join("', '") }}')
    {%- if is_incremental() %}
        and not exists (
            select 1 from {{ this }} as stored
            where stored.record_kind = records.record_kind
                and stored.record_sha256 = records.record_sha256
                and stored.batch_id = records.batch_id
                and stored.parse_spec = '{{ semibench.inferencex_parse_spec_version() }}')
    {%- endif %}

),

parsed as (

    select *, {{ semibench.json_struct('record', spec) }} as j
    from landed

)

select
    record_kind,
    record_sha256,
    record,
    problems,
    notes,
    batch_id,
    source_file,
    record_locator,
    fetched_at,
    loaded_at,
    {%- for column, path in fields.items() %}
    {%- if column.startswith('jm_') %}
    j.metrics.{{ adapter.quote(path.split('"')[1]) }} as {{ column }},
    {%- else %}
    j.{{ column[2:] }} as {{ column }},
    {%- endif %}
    {%- endfor %}
    '{{ semibench.inferencex_parse_spec_version() }}' as parse_spec,
    -- which build parsed the row (one statement: one time), so an update's work can be counted
    {{ dbt.current_timestamp() }} as parsed_at
from parsed
