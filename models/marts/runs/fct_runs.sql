{#
  One row per benchmark run, whatever produced it: the union of the run-shaped models listed below, each
  cast to the run shape (macro run_shape_columns in macros/run_shape.sql; the model contract enforces names and types). To add a
  source, append its model to `run_models` - one line.
#}

{%- set run_models = [
    'int_runs__loadgen',
    'int_runs__vllm_bench',
    'int_runs__inferencemax_agg',
] -%}

{%- for model in run_models %}
select
    {%- for name, type in semibench.run_shape_columns() %}
    cast({{ name }} as {{ type }}) as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
