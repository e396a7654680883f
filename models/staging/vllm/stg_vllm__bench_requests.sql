{#
  One row per request of a vLLM run saved with per-request arrays (--save-detailed): the arrays
  input_lens, output_lens, ttfts, itls, latencies, start_times, queue_times, generated_texts and errors
  are parallel (element i = request i), so they are unnested together by position. Times convert from
  seconds (as saved) to milliseconds. Runs saved without the arrays have no rows here.
#}

{%- set double = semibench.type_double() -%}
{%- set string = dbt.type_string() -%}
{%- set arrays = {
    'input_lens': semibench.array_type(dbt.type_bigint()),
    'output_lens': semibench.array_type(dbt.type_bigint()),
    'ttfts': semibench.array_type(double),
    'itls': semibench.array_type(double, 2),
    'latencies': semibench.array_type(double),
    'start_times': semibench.array_type(double),
    'queue_times': semibench.array_type(double),
    'generated_texts': semibench.array_type(string),
    'errors': semibench.array_type(string),
} -%}

with source as (

    select record_sha256, record
    from {{ source('vllm_results', 'vllm_results') }}
    where record_kind = 'vllm_bench'
      -- quarantined records (ingest found problems) are in the family's quarantine model, never here
      and quarantine_reasons is null

),

parsed as (

    -- the record is parsed once; an array that does not fit its type is null
    select
        record_sha256,
        {{ semibench.json_typed_struct('record', arrays) }} as j
    from source

),

arrays as (

    select
        record_sha256,
        {%- for name in arrays %}
        j.{{ name }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from parsed

),

positions as (

    -- the ingester rejects arrays of unequal length, so the longest is the request count
    select
        *,
        {%- set lengths = [] -%}
        {%- for name in arrays -%}
            {%- do lengths.append('coalesce(' ~ semibench.array_length(name) ~ ', 0)') -%}
        {%- endfor %}
        {{ semibench.unnest_positions('greatest(' ~ lengths | join(', ') ~ ')') }} as request_index
    from arrays

),

requests as (

    select
        record_sha256,
        request_index,
        {{ semibench.array_element_at_offset('input_lens', 'request_index') }} as input_len,
        {{ semibench.array_element_at_offset('output_lens', 'request_index') }} as output_len,
        {{ semibench.array_element_at_offset('ttfts', 'request_index') }} as ttft_s,
        {{ semibench.array_element_at_offset('itls', 'request_index') }} as itls_s,
        {{ semibench.array_element_at_offset('latencies', 'request_index') }} as latency_s,
        {{ semibench.array_element_at_offset('start_times', 'request_index') }} as start_time_s,
        {{ semibench.array_element_at_offset('queue_times', 'request_index') }} as queue_time_s,
        {{ semibench.array_element_at_offset('generated_texts', 'request_index') }} as generated_text,
        nullif({{ semibench.array_element_at_offset('errors', 'request_index') }}, '') as error,
        -- vLLM leaves `error` empty for a successful request; without an errors array success is unknown
        case when errors is not null then coalesce({{ semibench.array_element_at_offset('errors', 'request_index') }}, '') = '' end as success
    from positions

),

timed as (

    select
        *,
        -- a failed request's ttft is vLLM's placeholder 0.0, not a measurement
        case when success then ttft_s * 1000 end as ttft_ms,
        {{ semibench.array_length('itls_s') }} as itl_count,
        {{ semibench.array_sum('itls_s') }} * 1000 as itl_sum_ms,
        -- end-to-end latency: vLLM's own per-request `latencies` when saved, else first token + every gap
        case when success then coalesce(latency_s * 1000, (ttft_s + coalesce({{ semibench.array_sum('itls_s') }}, 0)) * 1000) end as e2el_ms,
        case when success and latency_s is not null then 'latencies'
             when success and ttft_s is not null then 'ttft_plus_itls' end as e2el_source
    from requests

)

select
    'vllm:' || left(record_sha256, 16) as run_id,
    record_sha256,
    request_index,
    success,
    error,
    input_len,
    output_len,
    ttft_ms,
    e2el_ms,
    e2el_source,
    -- vLLM's TPOT: time after the first token over the tokens after the first (undefined for 1 token)
    case when success and output_len > 1 then (e2el_ms - ttft_ms) / (output_len - 1) end as tpot_ms,
    itl_count,
    itl_sum_ms,
    queue_time_s * 1000 as queue_time_ms,
    start_time_s,
    generated_text
from timed
