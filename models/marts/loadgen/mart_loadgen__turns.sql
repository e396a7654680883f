-- Multi-turn runs, per turn index: how TTFT and input length grow as the history does (turn k sends turns
-- 0..k-1 with the server's answers). Main-phase requests of runs whose requests carry a session_id.

select
    requests.run_id,
    requests.turn,
    max(runs.dataset) as dataset,
    max(case when runs.is_simulated then 1 else 0 end) = 1 as is_simulated,
    count(*) as requests,
    sum(case when requests.is_success then 1 else 0 end) as succeeded,
    avg(case when requests.is_success then requests.input_tokens end) as mean_input_tokens,
    avg(case when requests.is_success then requests.cached_tokens end) as mean_cached_tokens,
    {{ semibench.percentile_cont('requests.ttft_ms', 0.5, 'requests.is_success') }} as p50_ttft_ms,
    {{ semibench.percentile_cont('requests.ttft_ms', 0.99, 'requests.is_success') }} as p99_ttft_ms,
    {{ semibench.percentile_cont('requests.tpot_ms', 0.5, 'requests.is_success') }} as p50_tpot_ms,
    {{ semibench.percentile_cont('requests.e2el_ms', 0.5, 'requests.is_success') }} as p50_e2el_ms
from {{ ref('stg_loadgen__requests') }} as requests
inner join {{ ref('stg_loadgen__runs') }} as runs
    on requests.run_id = runs.run_id
where requests.is_main_phase
    and requests.session_id is not null
group by requests.run_id, requests.turn
