{#
  Per model x ISL/OSL x run source: how the latency and throughput of your own runs (loadgen, vLLM bench)
  compare with InferenceMAX's published runs (source inferencemax_agg) of the same model. One row per
  group; figures are medians over the group's runs unless named otherwise. Runs against serve-sim (the main
  job's demo) form their own group, is_simulated and never is_own_run: a simulator is nobody's deployment.
#}

with runs as (
    select
        names.model_name,
        runs.*
    from {{ ref('fct_runs') }} as runs
    inner join {{ ref('dim_model_names') }} as names
        on names.family = 'runs' and names.model_raw = runs.model
)

select
    model_name,
    isl,
    osl,
    source,
    is_simulated,
    source <> 'inferencemax_agg' and not is_simulated as is_own_run,
    count(*) as runs,
    min(p99_ttft_ms) as min_p99_ttft_ms,
    median(p99_ttft_ms) as median_p99_ttft_ms,
    max(p99_ttft_ms) as max_p99_ttft_ms,
    median(median_ttft_ms) as median_median_ttft_ms,
    median(p99_tpot_ms) as median_p99_tpot_ms,
    median(p99_e2el_ms) as median_p99_e2el_ms,
    median(median_interactivity) as median_interactivity,
    max(total_token_throughput_per_gpu) as best_total_token_throughput_per_gpu,
    max(started_at) as last_run_at
from runs
group by model_name, isl, osl, source, is_simulated
