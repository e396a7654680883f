{#
  The page a person reads to judge a model: one row per canonical model with its InferenceMAX standing
  (best hardware and throughput per GPU for each sequence of the latest snapshot), its benchmark runs by
  source with their p99 TTFT, and its tool-use evaluation results. Details live in
  mart_inferencemax__hardware_rollup, mart_model_latency_vs_inferencemax and agg_tool_eval_by_*.
  The inferencex_* columns read the unified InferenceX model (mart_inferencemax__latest_results: the
  latest result of every config, all sources): configs, latest result date, and per sequence the best
  series (hardware_engine[_spec][_disagg]) and its throughput per GPU.
#}

{%- set sequences = ['1k_1k', '1k_8k', '8k_1k'] %}

with models as (
    select * from {{ ref('dim_models') }}
),

-- DuckDB-only model read through a gate: an empty relation of the same columns on Spark (macro comment)
inferencex_latest as (
    {{ semibench.inferencex_latest_results_relation() }}
),

hardware_ranked as (
    select
        *,
        -- the best hardware of each sequence; a tie on throughput goes to the first hw_key (deterministic,
        -- the same on every engine)
        row_number() over (
            partition by model_slug, sequence_slug
            order by best_tput_per_gpu desc nulls last, hw_key
        ) as hw_rank
    from {{ ref('mart_inferencemax__hardware_rollup') }}
),

inferencemax as (
    select
        model_slug,
        count(distinct hw_key) as inferencemax_hw_keys,
        sum(point_count) as inferencemax_points
        {%- for seq in sequences %},
        max(case when hw_rank = 1 and best_tput_per_gpu is not null then hw_key end)
            filter (where sequence_slug = '{{ seq }}') as best_hw_key_{{ seq }},
        max(best_tput_per_gpu) filter (where sequence_slug = '{{ seq }}') as best_tput_per_gpu_{{ seq }}
        {%- endfor %}
    from hardware_ranked
    group by model_slug
),

runs as (
    select
        model_name,
        -- serve-sim runs are counted apart, never as the user's own
        sum(runs) filter (where source = 'loadgen' and not is_simulated) as loadgen_runs,
        sum(runs) filter (where source = 'vllm_bench' and not is_simulated) as vllm_bench_runs,
        sum(runs) filter (where source = 'inferencemax_agg') as inferencemax_agg_runs,
        sum(runs) filter (where is_simulated) as simulated_runs,
        min(min_p99_ttft_ms) filter (where is_own_run) as own_runs_best_p99_ttft_ms,
        min(min_p99_ttft_ms) filter (where source = 'inferencemax_agg') as inferencemax_agg_best_p99_ttft_ms,
        max(last_run_at) filter (where is_own_run) as last_own_run_at
    from {{ ref('mart_model_latency_vs_inferencemax') }}
    group by model_name
),

inferencex as (
    select
        ix_models.model_slug,
        max(latest.model) as inferencex_model_key,
        count(distinct latest.config_key) as inferencex_configs,
        max(latest.result_date) as inferencex_latest_result_date
        {%- for seq in sequences %},
        max(latest.tput_per_gpu) filter (where latest.isl = {{ 1024 if seq.startswith('1k') else 8192 }}
            and latest.osl = {{ 1024 if seq.endswith('_1k') else 8192 }}) as inferencex_best_tput_per_gpu_{{ seq }}
        {%- endfor %}
    from inferencex_latest as latest
    inner join {{ ref('inferencex_dashboard_models') }} as ix_models
        on latest.model = ix_models.model_key
    group by ix_models.model_slug
),

inferencex_best as (
    select
        ix_models.model_slug,
        latest.isl,
        latest.osl,
        concat(latest.hardware, '_', latest.framework,
               case when latest.spec_method <> 'none' then concat('_', latest.spec_method) else '' end,
               case when latest.disagg then '_disagg' else '' end) as series_label,
        row_number() over (
            partition by ix_models.model_slug, latest.isl, latest.osl
            order by latest.tput_per_gpu desc, latest.result_key
        ) as speed_rank
    from inferencex_latest as latest
    inner join {{ ref('inferencex_dashboard_models') }} as ix_models
        on latest.model = ix_models.model_key
),

tool_eval as (
    select model_name, tests, success_rate, partial_rate, mean_turns, mean_tool_calls, top_error_category
    from {{ ref('agg_tool_eval_by_model') }}
)

select
    models.model_name,
    models.display_name,
    models.inferencemax_model_slug,
    models.params_b,
    models.active_params_b,
    inferencemax.inferencemax_hw_keys,
    inferencemax.inferencemax_points,
    {%- for seq in sequences %}
    inferencemax.best_hw_key_{{ seq }},
    inferencemax.best_tput_per_gpu_{{ seq }},
    {%- endfor %}
    coalesce(runs.loadgen_runs, 0) as loadgen_runs,
    coalesce(runs.vllm_bench_runs, 0) as vllm_bench_runs,
    coalesce(runs.inferencemax_agg_runs, 0) as inferencemax_agg_runs,
    coalesce(runs.simulated_runs, 0) as simulated_runs,
    runs.own_runs_best_p99_ttft_ms,
    runs.inferencemax_agg_best_p99_ttft_ms,
    runs.last_own_run_at,
    coalesce(tool_eval.tests, 0) as tool_eval_tests,
    tool_eval.success_rate as tool_eval_success_rate,
    tool_eval.partial_rate as tool_eval_partial_rate,
    tool_eval.mean_turns as tool_eval_mean_turns,
    tool_eval.mean_tool_calls as tool_eval_mean_tool_calls,
    tool_eval.top_error_category as tool_eval_top_error_category,
    inferencex.inferencex_model_key,
    coalesce(inferencex.inferencex_configs, 0) as inferencex_configs,
    inferencex.inferencex_latest_result_date
    {%- for seq in sequences %},
    best_{{ seq }}.series_label as inferencex_best_series_{{ seq }},
    inferencex.inferencex_best_tput_per_gpu_{{ seq }}
    {%- endfor %}
from models
left join inferencemax on inferencemax.model_slug = models.inferencemax_model_slug
left join runs on runs.model_name = models.model_name
left join tool_eval on tool_eval.model_name = models.model_name
left join inferencex on inferencex.model_slug = models.inferencemax_model_slug
{%- for seq in sequences %}
left join inferencex_best as best_{{ seq }}
    on best_{{ seq }}.model_slug = models.inferencemax_model_slug
    and best_{{ seq }}.isl = {{ 1024 if seq.startswith('1k') else 8192 }}
    and best_{{ seq }}.osl = {{ 1024 if seq.endswith('_1k') else 8192 }}
    and best_{{ seq }}.speed_rank = 1
{%- endfor %}
