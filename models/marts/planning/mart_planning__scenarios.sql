{#
  The planner's saved scenarios: seeds/planner_scenarios.csv plus, when var `planner_scenario` is set (a
  dict of the same columns), one more with scenario_id 'var' (unless it names its own). Missing optional
  columns are null; rank_tier defaults to hyperscaler. mart_planning__plan plans each of them.
#}

{%- set extra = var('planner_scenario', {}) -%}
{%- set columns = [
    ('scenario_id', 'varchar'), ('model', 'varchar'), ('isl', 'integer'), ('osl', 'integer'),
    ('min_interactivity', 'double'), ('max_ttft_p99_s', 'double'), ('max_e2el_p99_s', 'double'),
    ('min_eval_score', 'double'), ('demand_rps', 'double'),
    ('demand_output_tokens_per_day', 'double'), ('own_num_gpus', 'integer'), ('rank_tier', 'varchar'),
    ('prices_as_of', 'date'), ('description', 'varchar')
] -%}

with scenarios as (

    select
        {%- for name, type in columns %}
        cast({{ name }} as {{ type }}) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('planner_scenarios') }}
    {%- if extra %}
    union all
    select
        {%- for name, type in columns %}
        {%- set value = extra.get(name, 'var' if name == 'scenario_id' else none) %}
        cast({% if value is none %}null{% elif value is string %}'{{ value | replace("'", "''") }}'{% else %}{{ value }}{% endif %} as {{ type }}) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    {%- endif %}

)

select
    scenario_id,
    model,
    isl,
    osl,
    min_interactivity,
    max_ttft_p99_s,
    max_e2el_p99_s,
    min_eval_score,
    demand_rps,
    demand_output_tokens_per_day,
    own_num_gpus,
    coalesce(rank_tier, 'hyperscaler') as rank_tier,
    prices_as_of,
    description
from scenarios
