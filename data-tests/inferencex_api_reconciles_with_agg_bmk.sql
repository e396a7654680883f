{#
  An API result against the same result in its run's agg_bmk.json (same GitHub run id, config, isl, osl,
  conc): lists every metric that differs by more than var `inferencex_reconcile_tolerance` (relative,
  default 0.001). Both come from the same benchmark run, so a difference means one of the two pipelines
  changed a number (warn).
#}
{{ config(severity = 'warn', tags = ['inferencex_marts'], enabled = semibench.inferencex_models_enabled()) }}
{%- set tolerance = var('inferencex_reconcile_tolerance', 0.001) -%}
{%- set metrics = ['tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu', 'median_ttft_s', 'p99_ttft_s',
                   'median_tpot_s', 'p99_tpot_s', 'median_itl_s', 'median_e2el_s', 'p99_e2el_s',
                   'median_intvty', 'p99_intvty'] -%}

with api as (

    select * from {{ ref('fct_inferencemax_results') }}
    where source_family = 'api' and is_success

),

agg as (

    select * from {{ ref('fct_inferencemax_results') }}
    where source_family = 'agg_bmk'

),

compared as (

    {%- for m in metrics %}
    select
        api.config_key,
        api.github_run_id,
        api.isl,
        api.osl,
        api.conc,
        '{{ m }}' as metric,
        api.{{ m }} as api_value,
        agg.{{ m }} as agg_bmk_value
    from api
    inner join agg
        on api.config_key = agg.config_key
        and api.github_run_id = agg.github_run_id
        and api.isl = agg.isl
        and api.osl = agg.osl
        and api.conc = agg.conc
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from compared
where api_value is not null and agg_bmk_value is not null
    and abs(api_value - agg_bmk_value) > {{ tolerance }} * greatest(abs(api_value), abs(agg_bmk_value))
