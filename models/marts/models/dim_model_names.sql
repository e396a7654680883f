{#
  Every model name any data family reports, mapped to one canonical model_name, so a model's
  InferenceMAX points, its benchmark runs and its tool-use evaluations meet. Runs report Hugging Face ids
  or checkpoint paths (`openai/gpt-oss-120b`, `/mnt/.../deepseek-r1-0528-fp4-v2`): their last path segment
  is looked up in seed model_name_aliases (case-insensitive), then in model_catalog (slug or hf_id);
  anything else keeps that segment as its name, so an unknown model is reported, never merged.
  Tool-use evaluation names come already normalised by int_tool_eval__model_names (same seed).
#}

with aliases as (
    select lower(trim(alias)) as alias_key, model_name
    from {{ ref('model_name_aliases') }}
),

catalog as (
    select model_slug, lower(hf_id) as hf_id_key, model_name
    from {{ ref('model_catalog') }}
),

run_names as (
    select distinct
        model as model_raw,
        -- the capture group spelled out: Spark's regexp_extract returns group 1 by default
        regexp_extract(trim(model), '([^/]+)$', 1) as base_name
    from {{ ref('fct_runs') }}
    where model is not null
),

runs as (
    select
        'runs' as family,
        run_names.model_raw,
        coalesce(alias.model_name, by_hf.model_name, by_slug.model_name, run_names.base_name) as model_name,
        case
            when alias.model_name is not null then 'seed_alias'
            when by_hf.model_name is not null or by_slug.model_name is not null then 'model_catalog'
            else 'unchanged'
        end as normalisation_rule
    from run_names
    left join aliases as alias on alias.alias_key = lower(run_names.base_name)
    left join catalog as by_hf on by_hf.hf_id_key = lower(run_names.model_raw)
    left join catalog as by_slug on by_slug.model_slug = lower(run_names.base_name)
),

tool_eval as (
    select 'tool_eval' as family, model_raw, model_name, normalisation_rule
    from {{ ref('int_tool_eval__model_names') }}
),

inferencemax as (
    select 'inferencemax' as family, model_slug as model_raw, model_name, 'model_catalog' as normalisation_rule
    from {{ ref('model_catalog') }}
)

select * from runs
union all
select * from tool_eval
union all
select * from inferencemax
