{#
  The capacity and cost plan of every saved scenario (mart_planning__scenarios): per scenario, one row per
  InferenceX config of the scenario's model and ISL/OSL and per own loadgen endpoint, ranked. All the SQL is
  macro planner_plan (macros/planner.sql), which `semibench plan` renders over the published tables for any
  parameters: the CLI and this mart compute the same numbers (tests/planner proves it on a saved scenario).
  Prices and all-in kW: seed inferencex_gpu_cost_power; GPUs per node: seed planner_gpus_per_node.
#}
{#- prices in effect "today" (a scenario without prices_as_of): a run rebuilds it even when no source changed -#}
{{ config(tags=["rebuild_every_run"]) }}

{{ semibench.planner_plan(
    points=ref('mart_planning__config_points'),
    scenarios=ref('mart_planning__scenarios'),
    constants=ref('inferencex_gpu_cost_power'),
    gpus_per_node=ref('planner_gpus_per_node'),
    own_runs=ref('mart_planning__own_runs'),
    own_requests=ref('fct_requests')
) }}
