{#
  Run-level statistics as vLLM `bench serve` (and loadgen's summary.json) compute them, shared by every
  run-shaped model so the numbers mean the same whatever the source. Unit-tested through
  int_runs__loadgen (models/intermediate/loadgen/_loadgen__intermediate.yml).
#}

{# The percentiles every run model reports: (column prefix, fraction). #}
{% macro run_latency_percentiles() -%}
    {{ return([('median', 0.5), ('p90', 0.9), ('p99', 0.99)]) }}
{%- endmacro %}

{#
  percentile_cont(expr, fraction): continuous percentile by linear interpolation between the two closest
  ranks, i.e. numpy's default and vLLM's: sorted values v[0..n-1], idx = (n - 1) * fraction,
  result = v[floor(idx)] + (v[ceil(idx)] - v[floor(idx)]) * (idx - floor(idx)). An aggregate; `where`
  restricts the rows (a FILTER clause), so several metrics can be computed in one pass.
#}
{% macro percentile_cont(expr, fraction, where=none) -%}
    {{ return(adapter.dispatch('percentile_cont', 'semibench')(expr, fraction, where)) }}
{%- endmacro %}
{% macro default__percentile_cont(expr, fraction, where) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
    {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{% macro duckdb__percentile_cont(expr, fraction, where) -%}
    quantile_cont({{ expr }}, {{ fraction }})
    {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{#- Spark's percentile is exact (linear interpolation between the closest ranks, nulls ignored);
    percentile_approx is not: never use it here -#}
{% macro spark__percentile_cont(expr, fraction, where) -%}
    percentile({{ expr }}, {{ fraction }})
    {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{#
  latency_stat_columns(expr, metric, where): mean_<metric>_ms, median_<metric>_ms, p90_<metric>_ms and
  p99_<metric>_ms of `expr` over the rows where `where` holds (nulls ignored). An empty set gives null,
  not vLLM's 0: 0 ms would read as an impossibly fast server.
#}
{% macro latency_stat_columns(expr, metric, where=none) -%}
    avg({{ expr }}){% if where %} filter (where {{ where }}){% endif %} as mean_{{ metric }}_ms
    {%- for prefix, fraction in semibench.run_latency_percentiles() %},
    {{ semibench.percentile_cont(expr, fraction, where) }} as {{ prefix }}_{{ metric }}_ms
    {%- endfor %}
{%- endmacro %}

{#
  Goodput SLOs from vars goodput_ttft_ms / goodput_tpot_ms / goodput_e2el_ms (ms; null = no SLO on that
  metric). Returns {metric: ms} for the SLOs that are set.
#}
{% macro goodput_slos() -%}
    {%- set slos = {} -%}
    {%- for metric in ['ttft', 'tpot', 'e2el'] -%}
        {%- set value = var('goodput_' ~ metric ~ '_ms', none) -%}
        {%- if value is not none -%}
            {%- do slos.update({metric: value}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(slos) }}
{%- endmacro %}

{#
  meets_goodput_slos(ttft, tpot, e2el): true when a request meets every SLO that is set (<=, as vLLM);
  TPOT counts as 0 for single-token outputs (null tpot), as in vLLM. Null when no SLO is set at all, so
  goodput is null rather than equal to throughput. Apply to successful requests only.
#}
{% macro meets_goodput_slos(ttft, tpot, e2el) -%}
    {%- set slos = semibench.goodput_slos() -%}
    {%- set exprs = {'ttft': ttft, 'tpot': 'coalesce(' ~ tpot ~ ', 0)', 'e2el': e2el} -%}
    {%- if not slos -%}
        cast(null as boolean)
    {%- else -%}
        (
        {%- for metric, limit in slos.items() %}
            {% if not loop.first %}and {% endif %}coalesce({{ exprs[metric] }} <= {{ limit }}, false)
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#
  good_request_count(success, ttft, tpot, e2el): aggregate count of successful requests meeting every SLO;
  null when no SLO is set. Divide by the run's duration for vLLM's request_goodput.
#}
{% macro good_request_count(success, ttft, tpot, e2el) -%}
    {%- if semibench.goodput_slos() -%}
        count(*) filter (where {{ success }} and {{ semibench.meets_goodput_slos(ttft, tpot, e2el) }})
    {%- else -%}
        cast(null as bigint)
    {%- endif -%}
{%- endmacro %}
