-- Every model name seen in the logs, mapped to its canonical name. Rules, first match wins:
--   1. seed_alias:        the name (case-insensitive) is an alias in seed model_name_aliases;
--   2. deployment_suffix: the name is `<alias>-<1 or 2 digits>` and <alias> is in the seed, i.e. a numbered
--                         deployment of a known model (DeepSeek-R1-0528-2). Only 1-2 digits: 4-digit tails are
--                         release dates (`-0324`) and must not be stripped;
--   3. unchanged:         anything else keeps its name, so an unknown model is reported, never merged.
with seen as (
    select model_raw from {{ ref('stg_tool_eval__events') }}
    union
    select model_raw from {{ ref('stg_tool_eval__legacy_cells') }}
),

aliases as (
    select lower(trim(alias)) as alias_key, model_name
    from {{ ref('model_name_aliases') }}
),

candidates as (
    select
        seen.model_raw,
        exact.model_name as exact_match,
        suffixed.model_name as suffix_match
    from seen
    left join aliases as exact
        on exact.alias_key = lower(trim(seen.model_raw))
    left join aliases as suffixed
        on suffixed.alias_key = lower(regexp_extract(trim(seen.model_raw), '^(.+)-[0-9]{1,2}$', 1))
)

select
    model_raw,
    coalesce(exact_match, suffix_match, model_raw) as model_name,
    case
        when exact_match is not null then 'seed_alias'
        when suffix_match is not null then 'deployment_suffix'
        else 'unchanged'
    end as normalisation_rule
from candidates
