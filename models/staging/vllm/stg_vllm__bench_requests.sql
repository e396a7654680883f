{#
  One row per request of a vLLM run saved with per-request arrays (--save-detailed): the arrays
  input_lens, output_lens, ttfts, itls, latencies, start_times, queue_times, generated_texts and errors
  are parallel (element i = request i), so they are unnested together by position. Times convert from
  seconds (as saved) to milliseconds. Runs saved without the arrays have no rows here.
#}

{%- set double = semibench.type_double() -%}
{%- set arrays = {
    'input_lens': dbt.type_bigint() ~ '[]',
    'output_lens': dbt.type_bigint() ~ '[]',
    'ttfts': double ~ '[]',
    'itls': double ~ '[][]',
    'latencies': double ~ '[]',
    'start_times': double ~ '[]',
    'queue_times': double ~ '[]',
    'generated_texts': dbt.type_string() ~ '[]',
    'errors': dbt.type_string() ~ '[]',
} -%}

with source as (

    select record_sha256, record
    from {{ source('vllm_results', 'vllm_results') }}
    where record_kind = 'vllm_bench'

),

arrays as (

    select
        record_sha256,
        {%- for name, type in arrays.items() %}
        {{ semibench.try_cast("record -> '$." ~ name ~ "'", type) }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from source

),

positions as (

    -- the ingester rejects arrays of unequal length, so the longest is the request count
    select
        *,
        unnest(generate_series(0, greatest(
            {%- for name in arrays %}
            coalesce(len({{ name }}), 0){{ ',' if not loop.last }}
            {%- endfor %}
        ) - 1)) as request_index
    from arrays

),

requests as (

    select
        record_sha256,
        request_index,
        input_lens[request_index + 1] as input_len,
        output_lens[request_index + 1] as output_len,
        ttfts[request_index + 1] as ttft_s,
        itls[request_index + 1] as itls_s,
        latencies[request_index + 1] as latency_s,
        start_times[request_index + 1] as start_time_s,
        queue_times[request_index + 1] as queue_time_s,
        generated_texts[request_index + 1] as generated_text,
        nullif(errors[request_index + 1], '') as error,
        -- vLLM leaves `error` empty for a successful request; without an errors array success is unknown
        case when errors is not null then coalesce(errors[request_index + 1], '') = '' end as success
    from positions

),

timed as (

    select
        *,
        -- a failed request's ttft is vLLM's placeholder 0.0, not a measurement
        case when success then ttft_s * 1000 end as ttft_ms,
        len(itls_s) as itl_count,
        list_sum(itls_s) * 1000 as itl_sum_ms,
        -- end-to-end latency: vLLM's own per-request `latencies` when saved, else first token + every gap
        case when success then coalesce(latency_s * 1000, (ttft_s + coalesce(list_sum(itls_s), 0)) * 1000) end as e2el_ms,
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
