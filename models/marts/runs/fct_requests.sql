{#- the goodput SLOs are part of the fingerprint: changing them re-judges every run -#}
{%- set salt_parts = [] -%}
{%- for metric, value in semibench.goodput_slos().items() -%}{%- do salt_parts.append(metric ~ '=' ~ value) -%}{%- endfor -%}
{%- set salt = 'goodput:' ~ salt_parts | join(',') -%}
{{ config(**semibench.trace_incremental_config()) }}
{{ config(post_hook="{{ semibench.delete_stale_batch_rows(this, semibench.loadgen_run_batches(" ~ salt | tojson ~ "), 'run_id', 'run_batch_key', 'run_id') }}") }}
-- One row per request of every loadgen run, with its run's context and the per-request figures the run
-- statistics are made of. counts_in_stats marks the rows vLLM's statistics use (main phase, successful);
-- meets_goodput_slos applies the goodput vars to each request (null when no SLO is set).
-- Incremental per run (macros/loadgen_incremental.sql): only new runs and runs replaced by a grown trace
-- are (re)built; rows of runs gone from raw are deleted by the post-hook; a change of the goodput vars
-- re-judges every run.

with batches as (

    {{ semibench.loadgen_run_batches(salt) }}

),

pending_batches as (

    {{ semibench.pending_batches('batches', 'run_id', 'run_batch_key') }}

),

requests as (

    select
        requests.*,
        pending_batches.run_batch_key
    from {{ ref('stg_loadgen__requests') }} as requests
    inner join pending_batches
        on requests.run_id = pending_batches.run_id

)

select
    requests.run_id,
    requests.request_id,
    requests.seq,
    requests.worker,
    requests.shard,
    requests.endpoint,
    requests.deployment,
    requests.model,
    requests.backend,
    requests.is_warmup,
    requests.is_cancelled,
    requests.is_main_phase,
    requests.is_success,
    requests.is_main_phase and requests.is_success as counts_in_stats,
    requests.error_class,
    requests.http_status,
    requests.retries,
    requests.finish_reason,
    requests.sent_at,
    requests.send_offset_ns / 1e6 as send_offset_ms,
    requests.queue_ms,
    requests.num_chunks,
    greatest(requests.num_chunks - 1, 0) as num_itls,
    requests.ttft_ms,
    requests.tpot_ms,
    requests.e2el_ms,
    1000.0 / nullif(requests.tpot_ms, 0) as interactivity,
    requests.input_tokens,
    requests.output_tokens,
    requests.input_tokens_estimated,
    requests.output_tokens_estimated,
    requests.has_estimated_tokens,
    requests.target_input_tokens,
    requests.target_output_tokens,
    case
        when requests.is_success
            then {{ semibench.meets_goodput_slos('requests.ttft_ms', 'requests.tpot_ms', 'requests.e2el_ms') }}
    end as meets_goodput_slos,
    requests.inflight_at_send,
    requests.concurrency_limit,
    requests.qps_limit,
    -- the run's fingerprint when it was modelled, and the dbt invocation that modelled it
    requests.run_batch_key,
    '{{ invocation_id }}' as dbt_invocation_id
from requests
