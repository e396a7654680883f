-- Which model x isl x osl x precision x hardware x framework x spec_method x disagg exists on which date
-- (API availability and the dump's availability table), normalised, with invalid_reason (null = valid).
with records as (

    select
        *,
        {{ semibench.json_struct('record', {'model': 'varchar', 'isl': 'varchar', 'osl': 'varchar',
            'precision': 'varchar', 'hardware': 'varchar', 'framework': 'varchar', 'spec_method': 'varchar',
            'disagg': 'varchar', 'date': 'varchar'}) }} as j
    from {{ ref('base_inferencex__records') }}
    where record_kind in ('availability', 'dump_availability')

),

typed as (

    select
        records.*,
        lower(trim(j.hardware)) as hardware_raw,
        lower(trim(j.framework)) as framework_raw,
        lower(trim(j.model)) as model_raw,
        hw.gpu_key as hardware,
        fw.framework,
        coalesce(models.model_key, aliases.model_key) as model,
        lower(trim(j.precision)) as precision,
        coalesce(nullif(lower(trim(j.spec_method)), ''), 'none') as spec_method,
        coalesce(fw.forces_disagg, false) or coalesce({{ semibench.text_to_boolean('j.disagg') }}, false) as disagg,
        {{ semibench.try_cast('j.isl', dbt.type_int()) }} as isl,
        {{ semibench.try_cast('j.osl', dbt.type_int()) }} as osl,
        {{ semibench.try_cast('substring(j.date, 1, 10)', 'date') }} as available_date
    from records
    left join {{ ref('base_inferencex__hardware_map') }} as hw on lower(trim(records.j.hardware)) = hw.hardware_raw
    left join {{ ref('inferencex_frameworks') }} as fw on lower(trim(records.j.framework)) = fw.framework_raw
    left join {{ ref('inferencex_models') }} as models on lower(trim(records.j.model)) = models.model_key
    left join {{ ref('inferencex_model_aliases') }} as aliases on lower(trim(records.j.model)) = aliases.alias

)

select
    case record_kind when 'availability' then 'availability' else 'dump' end as source_route,
    model,
    isl,
    osl,
    precision,
    hardware,
    framework,
    spec_method,
    disagg,
    available_date,
    hardware_raw,
    framework_raw,
    model_raw,
    notes,
    nullif(concat_ws('; ',
        problems,
        case when hardware is null then concat('unknown hardware ''', coalesce(hardware_raw, ''), '''') end,
        case when framework is null then concat('unknown framework ''', coalesce(framework_raw, ''), '''') end,
        case when model is null then concat('unknown model ''', coalesce(model_raw, ''), '''') end,
        case when isl is null or osl is null then 'isl/osl missing or not integers' end,
        case when available_date is null then 'date missing or not a date' end
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
