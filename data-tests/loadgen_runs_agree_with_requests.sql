-- Run-level figures of every loadgen run in fct_runs must follow from its per-request rows: counts,
-- token totals, throughputs over the run's duration, and the ITL population (every gap of a successful
-- main-phase request). Recomputed here without the statistics macros. Returns the disagreeing runs.

with runs as (

    select * from {{ ref('fct_runs') }}
    where source = 'loadgen'

),

from_requests as (

    select
        run_id,
        count(*) filter (where is_main_phase) as num_requests,
        count(*) filter (where counts_in_stats) as completed,
        count(*) filter (where is_main_phase and not is_success) as failed,
        coalesce(sum(input_tokens) filter (where counts_in_stats), 0) as total_input_tokens,
        coalesce(sum(output_tokens) filter (where counts_in_stats), 0) as total_output_tokens,
        sum(num_itls) filter (where counts_in_stats) as itl_count,
        min(ttft_ms) filter (where counts_in_stats) as min_ttft_ms,
        max(ttft_ms) filter (where counts_in_stats) as max_ttft_ms
    from {{ ref('fct_requests') }}
    group by run_id

),

from_chunks as (

    select run_id, count(itl_ms) as itl_count
    from {{ ref('int_loadgen__chunks') }}
    where is_main_phase and is_success
    group by run_id

)

select
    runs.run_id,
    runs.completed,
    from_requests.completed as completed_from_requests,
    runs.failed,
    from_requests.failed as failed_from_requests
from runs
left join from_requests on runs.run_id = from_requests.run_id
left join from_chunks on runs.run_id = from_chunks.run_id
where runs.num_requests <> coalesce(from_requests.num_requests, 0)
    or runs.completed <> coalesce(from_requests.completed, 0)
    or runs.failed <> coalesce(from_requests.failed, 0)
    or runs.total_input_tokens <> coalesce(from_requests.total_input_tokens, 0)
    or runs.total_output_tokens <> coalesce(from_requests.total_output_tokens, 0)
    or coalesce(from_requests.itl_count, 0) <> coalesce(from_chunks.itl_count, 0)
    or abs(runs.request_throughput * runs.duration_s - runs.completed) > 1e-6
    or abs(runs.output_throughput * runs.duration_s - runs.total_output_tokens) > 1e-6 * greatest(runs.total_output_tokens, 1)
    -- every percentile lies within the observed range
    or runs.p99_ttft_ms > from_requests.max_ttft_ms + 1e-9
    or runs.median_ttft_ms < from_requests.min_ttft_ms - 1e-9
