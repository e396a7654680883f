{{ config(**semibench.trace_incremental_config()) }}
{{ config(post_hook="{{ semibench.delete_stale_batch_rows(this, semibench.loadgen_run_batches(), 'run_id', 'run_batch_key', 'run_id') }}") }}
{#
  One row per streamed token chunk of every request (a chunk = an SSE event with a non-empty `choices`;
  chunks that arrived in the same socket read share a time). gap_ns is the gap to the previous chunk of
  the same request, computed here from chunk_ns; itl_ms is the inter-token latency loadgen recorded for
  that gap (the same gap in ms, rounded to the microsecond) and is what the ITL statistics pool, so they
  match summary.json exactly. The first chunk of a request has neither (its latency is the TTFT).
  Built with array functions and a zipped unnest (macros/cross_db/arrays.sql) rather than a window
  function: no sort over millions of rows.

  Incremental per run (macros/loadgen_incremental.sql): only runs that are new or were replaced by a
  grown trace since the last build are unnested; rows of runs gone from raw are deleted by the post-hook.
#}

with batches as (

    {{ semibench.loadgen_run_batches() }}

),

pending_batches as (

    {{ semibench.pending_batches('batches', 'run_id', 'run_batch_key') }}

),

requests as (

    select
        requests.run_id,
        requests.request_id,
        requests.is_main_phase,
        requests.is_success,
        requests.send_offset_ns,
        requests.chunk_ns,
        -- gaps as an array aligned with chunk_ns: none before the first chunk
        {{ semibench.array_successive_gaps('requests.chunk_ns', dbt.type_bigint()) }} as gaps_ns,
        {{ semibench.array_prepend_null('requests.itl_ms', semibench.type_double()) }} as itls_ms,
        pending_batches.run_batch_key
    from {{ ref('stg_loadgen__requests') }} as requests
    inner join pending_batches
        on requests.run_id = pending_batches.run_id
    where requests.num_chunks > 0

),

chunks as (

    select
        run_id,
        request_id,
        is_main_phase,
        is_success,
        send_offset_ns,
        run_batch_key,
        {{ semibench.zip_unnest('chunk_index', [
            ['chunk_ns', 'offset_ns'],
            ['gaps_ns', 'gap_ns'],
            ['itls_ms', 'itl_ms'],
        ]) }}
    from requests

)

select
    run_id,
    request_id,
    {{ dbt.cast('chunk_index', dbt.type_int()) }} as chunk_index,
    offset_ns,
    send_offset_ns + offset_ns as run_offset_ns,
    gap_ns,
    itl_ms,
    is_main_phase,
    is_success,
    -- the run's fingerprint when it was modelled, and the dbt invocation that modelled it
    run_batch_key,
    '{{ invocation_id }}' as dbt_invocation_id
from chunks
