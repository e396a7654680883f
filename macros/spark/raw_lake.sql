{% macro register_raw_lake() -%}
    {{ return(adapter.dispatch('register_raw_lake', 'semibench')()) }}
{%- endmacro %}
{% macro default__register_raw_lake() -%}select 1{%- endmacro %}
{% macro spark__register_raw_lake() -%}
    {%- set lake = env_var('SEMIBENCH_LAKE', env_var('PWD', '.') ~ '/warehouse/lake') -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- for t in ['eval_events','eval_event_batches','eval_event_rejects','inferencemax_fetches','inferencemax_files','inferencemax_points','inferencemax_snapshots','loadgen_requests','loadgen_runs','pipeline_runs','vllm_results','vllm_result_batches','vllm_result_rejects'] -%}
        {%- do run_query('drop table if exists raw.' ~ t) -%}
        {%- do run_query("create table raw." ~ t ~ " using parquet location '" ~ lake ~ "/" ~ t ~ "'") -%}
    {%- endfor -%}
    select 1
{%- endmacro %}
