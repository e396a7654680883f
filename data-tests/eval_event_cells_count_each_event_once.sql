-- Cells built from events must hold exactly the distinct events, each once.
select figures_tests, events
from (
    select
        (select coalesce(sum(tests), 0) from {{ ref('agg_tool_eval_by_cell') }} where figures_from = 'events') as figures_tests,
        (select count(*) from {{ ref('fct_tool_eval_events') }}) as events
) as counts
where figures_tests <> events
