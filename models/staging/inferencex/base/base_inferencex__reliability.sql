-- Runs that succeeded out of those attempted, per hardware and date (API reliability; the dump's run_stats,
-- per workflow run), with invalid_reason (null = valid).
with records as (

    select
        *,
        {{ semibench.json_struct('record', {'hardware': 'varchar', 'date': 'varchar', 'n_success': 'varchar',
            'total': 'varchar', 'workflow_run_id': 'varchar'}) }} as j
    from {{ ref('base_inferencex__records') }}
    where record_kind in ('reliability', 'dump_run_stats')

),

typed as (

    select
        records.*,
        lower(trim(j.hardware)) as hardware_raw,
        hw.gpu_key as hardware,
        {{ semibench.try_cast('substring(j.date, 1, 10)', 'date') }} as stat_date,
        {{ semibench.try_cast('j.n_success', dbt.type_int()) }} as n_success,
        {{ semibench.try_cast('j.total', dbt.type_int()) }} as total,
        j.workflow_run_id as dump_workflow_run_id
    from records
    left join {{ ref('base_inferencex__hardware_map') }} as hw on lower(trim(records.j.hardware)) = hw.hardware_raw

)

select
    case record_kind when 'reliability' then 'reliability' else 'dump' end as source_route,
    hardware,
    stat_date,
    n_success,
    total,
    dump_workflow_run_id,
    hardware_raw,
    notes,
    nullif(concat_ws('; ',
        problems,
        case when hardware is null then concat('unknown hardware ''', coalesce(hardware_raw, ''), '''') end,
        case when stat_date is null then 'date missing or not a date' end,
        case when n_success is null or total is null then 'n_success/total missing or not integers' end,
        case when n_success > total or n_success < 0 then 'n_success outside 0..total' end
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
