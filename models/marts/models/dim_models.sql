-- One row per canonical model across all data families, with its catalog facts where known.
with names as (
    select
        model_name,
        bool_or(family = 'inferencemax') as in_inferencemax_catalog,
        bool_or(family = 'runs') as has_runs,
        bool_or(family = 'tool_eval') as has_tool_eval,
        count(*) as spellings
    from {{ ref('dim_model_names') }}
    group by model_name
)

select
    names.model_name,
    coalesce(catalog.display_name, names.model_name) as display_name,
    catalog.model_slug as inferencemax_model_slug,
    catalog.hf_id,
    catalog.params_b,
    catalog.active_params_b,
    names.in_inferencemax_catalog,
    names.has_runs,
    names.has_tool_eval,
    names.spellings
from names
left join {{ ref('model_catalog') }} as catalog
    on catalog.model_name = names.model_name
