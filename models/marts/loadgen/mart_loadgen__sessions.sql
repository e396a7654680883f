-- Multi-turn runs, per session: turns sent and answered, the session's end-to-end time (first turn's send to
-- the last answered turn's last token, think time included), its tokens, and TTFT of its first and last turn.
-- is_complete: every turn of the session was sent and answered (a failed turn ends its session).

with turns as (

    select
        requests.run_id,
        requests.session_id,
        requests.turn,
        requests.is_success,
        requests.send_offset_ns / 1e6 as send_ms,
        requests.send_offset_ns / 1e6 + requests.e2el_ms as end_ms,
        requests.ttft_ms,
        requests.input_tokens,
        requests.output_tokens,
        requests.cached_tokens,
        max(requests.turn) over (partition by requests.run_id, requests.session_id) as last_turn
    from {{ ref('stg_loadgen__requests') }} as requests
    where requests.is_main_phase
        and requests.session_id is not null

)

select
    run_id,
    session_id,
    count(*) as turns_sent,
    sum(case when is_success then 1 else 0 end) as turns_answered,
    count(*) = sum(case when is_success then 1 else 0 end) as all_turns_answered,
    min(send_ms) as first_send_ms,
    max(end_ms) - min(send_ms) as session_e2e_ms,
    sum(case when is_success then input_tokens else 0 end) as total_input_tokens,
    sum(case when is_success then output_tokens else 0 end) as total_output_tokens,
    sum(case when is_success then cached_tokens end) as total_cached_tokens,
    max(case when turn = 0 then ttft_ms end) as first_turn_ttft_ms,
    max(case when turn = last_turn then ttft_ms end) as last_turn_ttft_ms
from turns
group by run_id, session_id
