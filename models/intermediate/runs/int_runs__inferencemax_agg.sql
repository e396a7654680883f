{#
  InferenceMAX run aggregates in the shared run shape (macros/run_shape.sql). An aggregate keeps only
  per-GPU throughput; the deployment totals are recovered with the divisors InferenceMAX's
  process_result.py used: total tok/s was divided by all GPUs (tp, or prefill + decode GPUs when
  disaggregated), output tok/s by tp, or by the DECODE GPUs only when disaggregated. The run shape's
  output_throughput_per_gpu is output tok/s over ALL GPUs, so for disaggregated runs it differs from
  InferenceMAX's own output_tput_per_gpu. No request counts, durations or dates survive aggregation
  (null); InferenceMAX drives vLLM at request rate inf with max concurrency = conc.
#}

with runs as (

    select
        *,
        tput_per_gpu * num_gpus as total_token_throughput,
        output_tput_per_gpu * case when is_disaggregated then num_decode_gpu else tp end as output_throughput
    from {{ ref('stg_inferencemax__agg_runs') }}

)

{%- set columns = {
    'run_id': 'run_id',
    'source': "'inferencemax_agg'",
    'source_file': 'source_file',
    'model': 'model',
    'model_slug': 'model_slug',
    'backend': 'framework',
    'hw_key': 'hw_key',
    'precision': 'precision',
    'tp': 'tp',
    'num_gpus': 'num_gpus',
    'isl': 'isl',
    'osl': 'osl',
    'max_concurrency': 'conc',
    'output_throughput': 'output_throughput',
    'total_token_throughput': 'total_token_throughput',
    'output_throughput_per_gpu': 'output_throughput / nullif(num_gpus, 0)',
    'total_token_throughput_per_gpu': 'tput_per_gpu',
    'median_interactivity': '1000 / nullif(median_tpot_ms, 0)',
    'status': "'completed'",
    'is_simulated': 'false',
} -%}
{%- for f in semibench.run_latency_fields(semibench.run_shape_latency_stats()) -%}
    {%- do columns.update({f ~ '_ms': f ~ '_ms'}) -%}
{%- endfor %}

select
    {{- semibench.run_shape_select(columns) }}
from runs
