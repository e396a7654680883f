-- Shared-prefix and Mooncake runs, per prefix: how often it was reused and what reuse did to TTFT. The first
-- request with a prefix (by send time) finds it uncached; later ones may hit the server's prefix cache.
-- cached_share = the server's reported cached prompt tokens over all prompt tokens (null when it did not say).

with requests as (

    select
        requests.run_id,
        requests.prefix_id,
        requests.is_success,
        requests.ttft_ms,
        requests.input_tokens,
        requests.cached_tokens,
        row_number() over (partition by requests.run_id, requests.prefix_id
                           order by requests.send_offset_ns, requests.request_id) as use_number
    from {{ ref('stg_loadgen__requests') }} as requests
    where requests.is_main_phase
        and requests.prefix_id is not null

)

select
    requests.run_id,
    requests.prefix_id,
    max(runs.dataset) as dataset,
    max(case when runs.is_simulated then 1 else 0 end) = 1 as is_simulated,
    count(*) as requests,
    count(*) - 1 as reuses,
    max(case when use_number = 1 then ttft_ms end) as first_use_ttft_ms,
    {{ semibench.percentile_cont('ttft_ms', 0.5, 'is_success and use_number > 1') }} as p50_reuse_ttft_ms,
    sum(case when is_success then cached_tokens end) * 1.0
        / nullif(sum(case when is_success and cached_tokens is not null then input_tokens end), 0) as cached_share
from requests
inner join {{ ref('stg_loadgen__runs') }} as runs
    on requests.run_id = runs.run_id
group by requests.run_id, requests.prefix_id
