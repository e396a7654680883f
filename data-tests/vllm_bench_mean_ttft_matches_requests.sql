-- A vLLM run's saved mean TTFT (ms) must match the mean of its successful requests' TTFTs (saved in
-- seconds, converted to ms in staging) within 0.1 %: this pins the s -> ms conversion and the unnesting.
-- Runs without per-request arrays or without successful requests are skipped.
with requests as (
    select run_id, avg(ttft_ms) as mean_request_ttft_ms
    from {{ ref('stg_vllm__bench_requests') }}
    where success
    group by run_id
)

select runs.run_id, runs.source_file, runs.mean_ttft_ms, requests.mean_request_ttft_ms
from {{ ref('stg_vllm__bench_runs') }} as runs
join requests on runs.run_id = requests.run_id
where runs.mean_ttft_ms is not null
  and abs(runs.mean_ttft_ms - requests.mean_request_ttft_ms) > 0.001 * abs(runs.mean_ttft_ms) + 1e-9
