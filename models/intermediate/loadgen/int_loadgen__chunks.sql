{#
  One row per streamed token chunk of every request (a chunk = an SSE event with a non-empty `choices`;
  chunks that arrived in the same socket read share a time). gap_ns is the gap to the previous chunk of
  the same request, computed here from chunk_ns; itl_ms is the inter-token latency loadgen recorded for
  that gap (the same gap in ms, rounded to the microsecond) and is what the ITL statistics pool, so they
  match summary.json exactly. The first chunk of a request has neither (its latency is the TTFT).
  Built with list functions and a zipped unnest rather than a window function: no sort over millions
  of rows.
#}

with requests as (

    select
        run_id,
        request_id,
        is_main_phase,
        is_success,
        send_offset_ns,
        chunk_ns,
        -- gaps as a list aligned with chunk_ns: none before the first chunk
        list_prepend(cast(null as bigint), [chunk_ns[i + 1] - chunk_ns[i] for i in range(1, len(chunk_ns))]) as gaps_ns,
        list_prepend(cast(null as double), itl_ms) as itls_ms
    from {{ ref('stg_loadgen__requests') }}
    where num_chunks > 0

),

chunks as (

    -- unnests in one select list are zipped element by element (DuckDB)
    select
        run_id,
        request_id,
        is_main_phase,
        is_success,
        send_offset_ns,
        unnest(range(len(chunk_ns))) as chunk_index,
        unnest(chunk_ns) as offset_ns,
        unnest(gaps_ns) as gap_ns,
        unnest(itls_ms) as itl_ms
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
    is_success
from chunks
