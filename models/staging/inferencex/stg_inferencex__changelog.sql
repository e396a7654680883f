-- Changelog entries of InferenceX runs (API workflow-info `changelogs`, the dump's changelog_entries):
-- what changed in the benchmark repository for a run, and which config keys it touched. config_keys is
-- kept as JSON array text.
with records as (

    select
        *,
        {{ semibench.json_struct('record', {'workflow_run_id': 'varchar', 'date': 'varchar', 'base_ref': 'varchar',
            'head_ref': 'varchar', 'config_keys': 'varchar', 'description': 'varchar', 'pr_link': 'varchar'}) }} as j
    from {{ ref('base_inferencex__records') }}
    where record_kind in ('changelog_entries', 'dump_changelog_entries') and problems is null

),

dump_runs as (

    select dump_run_id, github_run_id from {{ ref('stg_inferencex__workflow_runs') }}
    where dump_run_id is not null

)

select distinct
    case record_kind when 'changelog_entries' then 'workflow-info' else 'dump' end as source_route,
    -- the API names the GitHub run; the dump its own workflow_runs.id
    case when record_kind = 'changelog_entries' then trim(j.workflow_run_id) else dump_runs.github_run_id end
        as github_run_id,
    {{ semibench.try_cast('substring(j.date, 1, 10)', 'date') }} as changelog_date,
    j.base_ref as base_ref,
    j.head_ref as head_ref,
    j.config_keys as config_keys_json,
    j.description as description,
    j.pr_link as pr_link
from records
left join dump_runs
    on records.record_kind = 'dump_changelog_entries'
    and {{ semibench.try_cast('records.j.workflow_run_id', dbt.type_bigint()) }} = dump_runs.dump_run_id
