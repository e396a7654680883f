{#
  One row per loadgen run in the run shape of fct_runs (column list: macro run_shape_columns). Statistics as
  vLLM `bench serve` / summary.json: only main-phase requests count (warm-up and cancelled ones never
  do); latency statistics and token totals over the successful ones; TPOT only where the output had more
  than one token (tpot_ms is null otherwise); ITLs pooled over all successful requests; percentiles by
  linear interpolation. duration_s is loadgen's measured main-phase duration from the end line; a killed
  run (no end line) gets an estimate from its requests: first arrival to last chunk.
#}

with runs as (

    select * from {{ ref('stg_loadgen__runs') }}

),

requests as (

    select
        *,
        case when num_chunks > 0 then {{ semibench.array_element('chunk_ns', 'num_chunks') }} end as last_chunk_offset_ns
    from {{ ref('stg_loadgen__requests') }}
    where is_main_phase

),

itls as (

    select run_id, itl_ms
    from {{ ref('int_loadgen__chunks') }}
    where is_main_phase and is_success and itl_ms is not null

),

request_stats as (

    select
        run_id,
        count(*) as num_requests,
        count(*) filter (where is_success) as completed,
        count(*) filter (where not is_success) as failed,
        coalesce(sum(input_tokens) filter (where is_success), 0) as total_input_tokens,
        coalesce(sum(output_tokens) filter (where is_success), 0) as total_output_tokens,
        {{ semibench.good_request_count('is_success', 'ttft_ms', 'tpot_ms', 'e2el_ms') }} as good_requests,
        -- fallback duration for runs without an end line, in ns from the run start
        min(coalesce(scheduled_offset_ns, send_offset_ns)) as first_arrival_ns,
        max(send_offset_ns + coalesce(last_chunk_offset_ns, 0)) as last_completion_ns,
        {{ semibench.latency_stat_columns('ttft_ms', 'ttft', 'is_success') }},
        {{ semibench.latency_stat_columns('tpot_ms', 'tpot', 'is_success') }},
        {{ semibench.latency_stat_columns('e2el_ms', 'e2el', 'is_success') }}
    from requests
    group by run_id

),

itl_stats as (

    select
        run_id,
        {{ semibench.latency_stat_columns('itl_ms', 'itl') }}
    from itls
    group by run_id

),

model_keys as (

    -- a run's reported model matches the catalog by InferenceMAX slug or Hugging Face id, any case
    select distinct lower(model_slug) as model_key, model_slug from {{ ref('model_catalog') }}
    union
    select distinct lower(hf_id) as model_key, model_slug from {{ ref('model_catalog') }}
    where hf_id is not null

),

joined as (

    select
        runs.*,
        model_keys.model_slug,
        coalesce(stats.num_requests, 0) as num_requests,
        coalesce(stats.completed, 0) as completed,
        coalesce(stats.failed, 0) as failed,
        coalesce(stats.total_input_tokens, 0) as total_input_tokens,
        coalesce(stats.total_output_tokens, 0) as total_output_tokens,
        -- with SLOs set, a run without requests has goodput 0, not null
        coalesce(stats.good_requests, {{ '0' if semibench.goodput_slos() else 'null' }}) as good_requests,
        coalesce(
            runs.end_duration_s,
            (stats.last_completion_ns - coalesce(runs.end_main_start_offset_ns, stats.first_arrival_ns)) / 1e9
        ) as measured_duration_s,
        {%- for metric in ['ttft', 'tpot', 'e2el'] %}
        {%- for stat in ['mean'] + semibench.run_latency_percentiles() | map(attribute=0) | list %}
        stats.{{ stat }}_{{ metric }}_ms,
        {%- endfor %}
        {%- endfor %}
        {%- for stat in ['mean'] + semibench.run_latency_percentiles() | map(attribute=0) | list %}
        itl_stats.{{ stat }}_itl_ms{% if not loop.last %},{% endif %}
        {%- endfor %}
    from runs
    left join request_stats as stats
        on runs.run_id = stats.run_id
    left join itl_stats
        on runs.run_id = itl_stats.run_id
    left join model_keys
        on lower(trim(runs.model)) = model_keys.model_key

),

rates as (

    select
        *,
        case when measured_duration_s > 0 then completed / measured_duration_s end as request_throughput,
        case when measured_duration_s > 0 then good_requests / measured_duration_s end as request_goodput,
        case when measured_duration_s > 0 then total_output_tokens / measured_duration_s end as output_throughput,
        case when measured_duration_s > 0
            then (total_input_tokens + total_output_tokens) / measured_duration_s end as total_token_throughput
    from joined

)

select
    run_id,
    'loadgen' as source,
    source_file,
    model,
    model_slug,
    backend,
    hw_key,
    precision,
    tp,
    num_gpus,
    isl,
    osl,
    request_rate,
    burstiness,
    max_concurrency,
    started_at,
    measured_duration_s as duration_s,
    num_requests,
    completed,
    failed,
    case when num_requests > 0 then failed / num_requests end as error_rate,
    total_input_tokens,
    total_output_tokens,
    request_throughput,
    request_goodput,
    output_throughput,
    total_token_throughput,
    output_throughput / nullif(num_gpus, 0) as output_throughput_per_gpu,
    total_token_throughput / nullif(num_gpus, 0) as total_token_throughput_per_gpu,
    {%- for metric in ['ttft', 'tpot', 'itl', 'e2el'] %}
    {%- for stat in ['mean'] + semibench.run_latency_percentiles() | map(attribute=0) | list %}
    {{ stat }}_{{ metric }}_ms,
    {%- endfor %}
    {%- endfor %}
    1000.0 / nullif(median_tpot_ms, 0) as median_interactivity,
    status,
    is_simulated
from rates
