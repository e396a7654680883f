-- GitHub workflow runs of InferenceX (API workflow-info `runs`, the dump's workflow_runs): one row per
-- (github_run_id, run_attempt). Only the highest attempt of a run counts (is_latest_attempt).
with records as (

    select
        *,
        {{ semibench.json_struct('record', {'id': 'varchar', 'github_run_id': 'varchar', 'run_attempt': 'varchar',
            'name': 'varchar', 'status': 'varchar', 'conclusion': 'varchar', 'head_sha': 'varchar',
            'head_branch': 'varchar', 'html_url': 'varchar', 'created_at': 'varchar', 'run_started_at': 'varchar',
            'date': 'varchar'}) }} as j
    from {{ ref('base_inferencex__records') }}
    where record_kind in ('workflow_runs', 'dump_workflow_runs') and problems is null

),

typed as (

    select
        case record_kind when 'workflow_runs' then 'workflow-info' else 'dump' end as source_route,
        trim(j.github_run_id) as github_run_id,
        {{ semibench.try_cast('j.run_attempt', dbt.type_int()) }} as run_attempt,
        {{ semibench.try_cast('j.id', dbt.type_bigint()) }} as dump_run_id,
        j.name as run_name,
        j.status as status,
        j.conclusion as conclusion,
        j.head_sha as head_sha,
        j.head_branch as head_branch,
        j.html_url as html_url,
        j.created_at as created_at_text,
        {{ semibench.try_cast('substring(j.date, 1, 10)', 'date') }} as run_date,
        record_sha256,
        batch_id,
        fetched_at
    from records

),

-- the same run seen in the API and in a dump (or in two captures with a changed field) is one row: the
-- most recently fetched version wins
ranked as (

    select
        typed.*,
        row_number() over (partition by github_run_id, run_attempt order by fetched_at desc, record_sha256) as version_rank
    from typed

)

select
    github_run_id,
    run_attempt,
    run_attempt = max(run_attempt) over (partition by github_run_id) as is_latest_attempt,
    source_route,
    dump_run_id,
    run_name,
    status,
    conclusion,
    head_sha,
    head_branch,
    html_url,
    created_at_text,
    run_date,
    record_sha256,
    batch_id
from ranked
where version_rank = 1
