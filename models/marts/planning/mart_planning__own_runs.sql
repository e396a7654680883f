{#
  Your own endpoints for the planner: every loadgen run whose model maps to an InferenceX model key
  (fct_runs.model_slug -> seed inferencex_dashboard_models, or the run's model named as a key or display
  name), one row per run. A sweep = the runs of one endpoint: same model, ISL/OSL, hardware key, GPU count,
  backend and label (endpoint_key); the planner keeps the sweep's best run at each SLO. gpu_key is the
  hardware key's chip (`h100_vllm` -> h100), which prices it. Simulated runs stay, flagged.
  ISL/OSL are the lengths the run is compared under (mart_runs__compared_sequence: the server's own count when
  known), so a run that served 1.3k tokens of a declared 1k does not stand in a 1k plan.
#}

with runs as (

    select
        fct.*,
        compared.compared_isl,
        compared.compared_osl,
        compared.isl_basis
    from {{ ref('fct_runs') }} as fct
    inner join {{ ref('mart_runs__compared_sequence') }} as compared
        on fct.run_id = compared.run_id
    where fct.source = 'loadgen'

),

labels as (

    select run_id, label from {{ ref('stg_loadgen__runs') }}

),

models as (

    select model_key, display_name from {{ ref('inferencex_models') }}

),

mapped as (

    select
        runs.*,
        labels.label,
        coalesce(dashboard.model_key, by_key.model_key, by_name.model_key) as model_key,
        coalesce(by_key.display_name, by_name.display_name, dashboard_names.display_name) as model_display_name
    from runs
    left join labels
        on runs.run_id = labels.run_id
    left join {{ ref('inferencex_dashboard_models') }} as dashboard
        on runs.model_slug = dashboard.model_slug
    left join models as dashboard_names
        on dashboard.model_key = dashboard_names.model_key
    left join models as by_key
        on lower(runs.model) = lower(by_key.model_key)
    left join models as by_name
        on lower(runs.model) = lower(by_name.display_name)

)

select
    run_id,
    model,
    model_key,
    model_display_name,
    compared_isl as isl,
    compared_osl as osl,
    isl as declared_isl,
    osl as declared_osl,
    isl_basis,
    hw_key,
    lower(regexp_extract(hw_key, '^[A-Za-z0-9]+')) as gpu_key,
    num_gpus,
    backend,
    label,
    is_simulated,
    started_at,
    duration_s,
    md5(concat_ws('|', model_key, cast(compared_isl as varchar), cast(compared_osl as varchar), coalesce(hw_key, '?'),
                  coalesce(cast(num_gpus as varchar), '?'), coalesce(backend, '?'), coalesce(label, '?'),
                  cast(is_simulated as varchar))) as endpoint_key,
    concat('own: ', case when num_gpus is not null then concat(cast(num_gpus as varchar), 'x') else '' end,
           coalesce(hw_key, 'unknown hardware'), ' ', coalesce(backend, ''),
           case when label is not null then concat(' [', label, ']') else '' end,
           case when is_simulated then ' (SIMULATED)' else '' end) as endpoint_label
from mapped
where model_key is not null
    and compared_isl is not null
    and compared_osl is not null
