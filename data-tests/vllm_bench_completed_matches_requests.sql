-- A vLLM run's `completed` must equal its successful per-request rows (vLLM counts a request as completed
-- exactly when its error is empty). Runs saved without per-request arrays have no rows and are skipped.
-- Fails with one row per disagreeing run.
with requests as (
    select run_id, count(*) as request_rows, count(case when success then 1 end) as successful_rows
    from {{ ref('stg_vllm__bench_requests') }}
    group by run_id
)

select runs.run_id, runs.source_file, runs.completed, requests.successful_rows
from {{ ref('stg_vllm__bench_runs') }} as runs
join requests on runs.run_id = requests.run_id
where not ({{ semibench.null_safe_equals('runs.completed', 'requests.successful_rows') }})
