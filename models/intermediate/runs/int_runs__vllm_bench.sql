{#
  vLLM bench runs in the shared run shape (macros/run_shape.sql), ready to union with the other run
  sources into fct_runs. vLLM saves latencies in ms, so they pass through; `failed` comes from the result
  (newer vLLM), else from the per-request errors, else num_prompts - completed (older vLLM, no arrays).
  Per-GPU figures need a GPU count, which a vLLM result carries only as --metadata (tp / num_gpus).
#}

with runs as (

    select * from {{ ref('stg_vllm__bench_runs') }}

),

requests as (

    select
        run_id,
        count(*) as request_rows,
        count(case when not success then 1 end) as failed_rows
    from {{ ref('stg_vllm__bench_requests') }}
    group by run_id

),

counted as (

    select
        runs.*,
        coalesce(runs.failed_reported, requests.failed_rows, runs.num_prompts - runs.completed) as failed,
        coalesce(runs.num_gpus_reported, runs.tp) as num_gpus,
        coalesce(aliases.hw_key, runs.hw_key_raw) as hw_key,
        catalog.model_slug
    from runs
    left join requests
        on runs.run_id = requests.run_id
    left join {{ ref('hardware_key_aliases') }} as aliases
        on runs.hw_key_raw = aliases.old_hw_key
    left join {{ ref('model_catalog') }} as catalog
        on lower(runs.model_id) = lower(catalog.hf_id)

)

{%- set columns = {
    'run_id': 'run_id',
    'source': "'vllm_bench'",
    'source_file': 'source_file',
    'model': 'model_id',
    'model_slug': 'model_slug',
    'backend': 'backend',
    'hw_key': 'hw_key',
    'precision': 'precision',
    'tp': 'tp',
    'num_gpus': 'num_gpus',
    'isl': 'isl',
    'osl': 'osl',
    'request_rate': 'request_rate',
    'burstiness': 'burstiness',
    'max_concurrency': 'max_concurrency',
    'started_at': 'started_at',
    'duration_s': 'duration_s',
    'num_requests': 'completed + failed',
    'completed': 'completed',
    'failed': 'failed',
    'error_rate': 'failed / nullif(completed + failed, 0)',
    'total_input_tokens': 'total_input_tokens',
    'total_output_tokens': 'total_output_tokens',
    'request_throughput': 'request_throughput',
    'request_goodput': 'request_goodput',
    'output_throughput': 'output_throughput',
    'total_token_throughput': 'total_token_throughput',
    'output_throughput_per_gpu': 'output_throughput / nullif(num_gpus, 0)',
    'total_token_throughput_per_gpu': 'total_token_throughput / nullif(num_gpus, 0)',
    'median_interactivity': '1000 / nullif(median_tpot_ms, 0)',
    'status': "case when completed = 0 then 'failed' else 'completed' end",
    'is_simulated': 'false',
} -%}
{%- for f in semibench.run_latency_fields(semibench.run_shape_latency_stats()) -%}
    {%- do columns.update({f ~ '_ms': f ~ '_ms'}) -%}
{%- endfor %}

select
    {{- semibench.run_shape_select(columns) }}
from counted
