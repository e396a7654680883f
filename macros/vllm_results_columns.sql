{#
  Column lists shared by the vLLM / InferenceMAX run models, so staging and the run-shaped models stay in
  step. Latency stats are the ones vLLM saves by default (mean, median, std, p99) plus p90 (saved when
  --metric-percentiles includes 90; newer InferenceX aggregates carry it).
#}

{% macro run_latency_metrics() -%}
    {{ return(['ttft', 'tpot', 'itl', 'e2el']) }}
{%- endmacro %}

{% macro run_latency_stats() -%}
    {{ return(['mean', 'median', 'std', 'p90', 'p99']) }}
{%- endmacro %}

{# the stats the run-shaped models (`int_runs__*`, union-ready for fct_runs) carry: no std #}
{% macro run_shape_latency_stats() -%}
    {{ return(['mean', 'median', 'p90', 'p99']) }}
{%- endmacro %}

{# `<stat>_<metric>` for every latency stat, e.g. mean_ttft, p99_e2el #}
{% macro run_latency_fields(stats=none) -%}
    {%- set fields = [] -%}
    {%- for metric in semibench.run_latency_metrics() -%}
        {%- for stat in (stats or semibench.run_latency_stats()) -%}
            {%- do fields.append(stat ~ '_' ~ metric) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(fields) }}
{%- endmacro %}
