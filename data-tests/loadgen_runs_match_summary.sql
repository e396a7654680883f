-- When a run's summary.json was landed, fct_runs must reproduce the figures loadgen printed: counts,
-- token totals, duration, throughputs and mean/median/p99 of TTFT/TPOT/ITL/E2EL (p90 when the summary
-- has it), within a relative tolerance (var run_summary_tolerance). vLLM writes 0 for an empty metric
-- where fct_runs has null, so null compares as 0. request_goodput is not compared: the summary uses the
-- run's own --goodput SLOs, fct_runs the goodput_* vars. Returns one row per disagreeing figure.

{%- set tolerance = var('run_summary_tolerance') -%}
{%- set figures = ['duration_s:duration', 'completed', 'failed', 'total_input_tokens', 'total_output_tokens',
                   'request_throughput', 'output_throughput', 'total_token_throughput',
                   'output_throughput_per_gpu', 'total_token_throughput_per_gpu'] -%}
{%- for metric in ['ttft', 'tpot', 'itl', 'e2el'] -%}
    {%- for stat in ['mean', 'median', 'p90', 'p99'] -%}
        {%- do figures.append(stat ~ '_' ~ metric ~ '_ms') -%}
    {%- endfor -%}
{%- endfor %}

with runs as (

    select * from {{ ref('fct_runs') }}
    where source = 'loadgen'

),

summaries as (

    select * from {{ ref('stg_loadgen__summaries') }}

),

compared as (

    {%- for figure in figures %}
    {%- set ours = figure.split(':')[0] %}
    {%- set theirs = figure.split(':')[-1] %}
    select
        runs.run_id,
        '{{ ours }}' as figure,
        cast(runs.{{ ours }} as double) as warehouse_value,
        summaries.{{ theirs }} as summary_value
    from runs
    inner join summaries
        on runs.run_id = summaries.run_id
    where summaries.{{ theirs }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select *
from compared
where abs(coalesce(warehouse_value, 0) - summary_value)
    > {{ tolerance }} * greatest(abs(coalesce(warehouse_value, 0)), abs(summary_value), 1)
