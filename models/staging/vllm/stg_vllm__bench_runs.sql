{#
  One row per landed vLLM `bench serve` result (record_kind = 'vllm_bench'): the run's configuration and
  summary metrics, typed. Latencies stay in milliseconds as vLLM saved them. The per-request arrays are
  unnested by stg_vllm__bench_requests. The record JSON is parsed once per row (json_struct).
#}

{%- set double = semibench.type_double() -%}
{%- set int = dbt.type_int() -%}
{%- set bigint = dbt.type_bigint() -%}
{%- set latency_fields = semibench.run_latency_fields() -%}
{#- keys vLLM writes, plus run metadata users attach with --metadata KEY=VALUE (always strings there) -#}
{%- set fields = [
    'date', 'backend', 'endpoint_type', 'label', 'model_id', 'tokenizer_id', 'num_prompts', 'request_rate',
    'burstiness', 'max_concurrency', 'duration', 'completed', 'failed', 'total_input_tokens',
    'total_output_tokens', 'request_throughput', 'request_goodput', 'request_goodput:', 'output_throughput',
    'total_token_throughput', 'max_output_tokens_per_s', 'max_concurrent_requests',
    'hw', 'hw_key', 'precision', 'tp', 'tensor_parallel_size', 'num_gpus', 'isl', 'osl',
] -%}
{%- set spec = {} -%}
{%- for f in fields -%}
    {%- do spec.update({f: 'varchar'}) -%}
{%- endfor -%}
{%- for f in latency_fields -%}
    {%- do spec.update({f ~ '_ms': 'varchar'}) -%}
{%- endfor -%}

with source as (

    select * from {{ source('vllm_results', 'vllm_results') }}
    where record_kind = 'vllm_bench'
      -- quarantined records (ingest found problems) are in the family's quarantine model, never here
      and quarantine_reasons is null

),

parsed as (

    select
        record_sha256,
        batch_id,
        source_file,
        source_format,
        source_locator,
        loaded_at,
        {{ semibench.json_struct('record', spec) }} as j
    from source

)

select
    'vllm:' || left(record_sha256, 16) as run_id,
    record_sha256,
    batch_id,
    source_file,
    source_format,
    source_locator,
    loaded_at,
    -- the client's local wall-clock time when the run finished (vLLM writes datetime.now(), no zone)
    {{ semibench.try_strptime('j.date', '%Y%m%d-%H%M%S') }} as started_at,
    j.date as date_text,
    -- older vLLM wrote only `backend`, newer ones both it and `endpoint_type` (same value)
    coalesce(j.backend, j.endpoint_type) as backend,
    j.label as label,
    j.model_id as model_id,
    j.tokenizer_id as tokenizer_id,
    {{ semibench.try_cast('j.num_prompts', bigint) }} as num_prompts,
    -- vLLM saves an unbounded rate as the string "inf" (a plain cast would turn it into +Infinity)
    lower(trim(j.request_rate)) in ('inf', 'infinity') as request_rate_is_inf,
    case when lower(trim(j.request_rate)) not in ('inf', 'infinity')
        then {{ semibench.try_cast('j.request_rate', double) }} end as request_rate,
    {{ semibench.try_cast('j.burstiness', double) }} as burstiness,
    {{ semibench.try_cast('j.max_concurrency', int) }} as max_concurrency,
    {{ semibench.try_cast('j.duration', double) }} as duration_s,
    {{ semibench.try_cast('j.completed', bigint) }} as completed,
    {{ semibench.try_cast('j.failed', bigint) }} as failed_reported,
    {{ semibench.try_cast('j.total_input_tokens', bigint) }} as total_input_tokens,
    {{ semibench.try_cast('j.total_output_tokens', bigint) }} as total_output_tokens,
    {{ semibench.try_cast('j.request_throughput', double) }} as request_throughput,
    -- some vLLM versions saved the key with a stray colon: "request_goodput:"
    {{ semibench.try_cast('coalesce(j.request_goodput, j.' ~ adapter.quote('request_goodput:') ~ ')', double) }} as request_goodput,
    {{ semibench.try_cast('j.output_throughput', double) }} as output_throughput,
    {{ semibench.try_cast('j.total_token_throughput', double) }} as total_token_throughput,
    {{ semibench.try_cast('j.max_output_tokens_per_s', double) }} as max_output_tokens_per_s,
    {{ semibench.try_cast('j.max_concurrent_requests', bigint) }} as max_concurrent_requests,
    {%- for f in latency_fields %}
    {{ semibench.try_cast('j.' ~ f ~ '_ms', double) }} as {{ f }}_ms,
    {%- endfor %}
    -- run metadata from --metadata (null unless the user attached it)
    coalesce(j.hw_key, j.hw) as hw_key_raw,
    j.precision as precision,
    {{ semibench.try_cast('coalesce(j.tp, j.tensor_parallel_size)', int) }} as tp,
    {{ semibench.try_cast('j.num_gpus', int) }} as num_gpus_reported,
    {{ semibench.try_cast('j.isl', int) }} as isl,
    {{ semibench.try_cast('j.osl', int) }} as osl
from parsed
