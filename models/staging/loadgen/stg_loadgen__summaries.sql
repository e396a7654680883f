-- The vLLM-shaped figures of every landed summary.json, typed (one row per run that has one), so the
-- warehouse's own figures in fct_runs can be checked against what loadgen printed. Parsed once per row
-- with json_struct; an odd value nulls one field instead of failing the build.

{%- set numeric_fields = ['duration', 'completed', 'failed', 'total_input_tokens', 'total_output_tokens',
                          'request_throughput', 'request_goodput', 'output_throughput', 'total_token_throughput',
                          'output_throughput_per_gpu', 'total_token_throughput_per_gpu', 'num_gpus',
                          'cancelled', 'warmup_requests'] -%}
{%- set latency_fields = [] -%}
{%- for metric in ['ttft', 'tpot', 'itl', 'e2el'] -%}
    {%- for stat in ['mean', 'median', 'p90', 'p99'] -%}
        {%- do latency_fields.append(stat ~ '_' ~ metric ~ '_ms') -%}
    {%- endfor -%}
{%- endfor -%}
{%- set spec = {'run_id': 'varchar', 'status': 'varchar'} -%}
{%- for f in numeric_fields + latency_fields -%}{%- do spec.update({f: 'varchar'}) -%}{%- endfor %}

with summaries as (

    select
        run_id,
        summary_file,
        {{ semibench.json_struct('summary', spec) }} as s
    from {{ source('loadgen', 'loadgen_runs') }}
    -- a quarantined summary (bad counts, figures the request lines do not give) is in stg_loadgen__quarantine
    where summary is not null and summary_quarantine_reasons is null

)

select
    run_id,
    summary_file,
    s.run_id as summary_run_id,
    s.status as summary_status,
    {%- for f in numeric_fields + latency_fields %}
    {{ semibench.try_cast('s.' ~ f, semibench.type_double()) }} as {{ f }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from summaries
