-- int_loadgen__chunks must hold exactly num_chunks rows for every request (none for a request without
-- chunks), indexed 0..num_chunks-1. Returns the requests where it does not.

with chunk_counts as (

    select run_id, request_id, count(*) as chunk_rows, max(chunk_index) as max_index
    from {{ ref('int_loadgen__chunks') }}
    group by run_id, request_id

)

select
    requests.run_id,
    requests.request_id,
    requests.num_chunks,
    coalesce(chunk_counts.chunk_rows, 0) as chunk_rows
from {{ ref('stg_loadgen__requests') }} as requests
left join chunk_counts
    on requests.run_id = chunk_counts.run_id
    and requests.request_id = chunk_counts.request_id
where coalesce(chunk_counts.chunk_rows, 0) <> requests.num_chunks
    or coalesce(chunk_counts.max_index, -1) <> requests.num_chunks - 1
