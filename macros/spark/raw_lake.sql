{#
  register_raw_lake(): run on every dbt invocation (on-run-start). On Spark it (re)registers the raw
  Parquet lake written by ingest/lake.py as external tables raw.<table>, so the sources resolve to the
  same rows DuckDB's raw tables hold. Dropping an external table never deletes its files; re-creating
  it picks up columns and date partitions added since the last run (mergeSchema + partition recovery).
  On DuckDB the raw tables are native: nothing to do.

  The lake location: var raw_lake, else env SEMIBENCH_LAKE (the CLI always sets it, absolute), else
  <working directory>/warehouse/lake. On a cluster point it at shared storage (hdfs://, s3a://, abfss://).
#}
{% macro raw_lake_tables() -%}
    {#- keep in step with ingest/lake.py LAKE_TABLES (tests/lake checks) -#}
    {{ return([
        'inferencemax_snapshots', 'inferencemax_files', 'inferencemax_points', 'inferencemax_fetches',
        'eval_event_batches', 'eval_events', 'eval_event_rejects',
        'vllm_result_batches', 'vllm_results', 'vllm_result_rejects',
        'loadgen_runs', 'loadgen_requests', 'loadgen_sweeps', 'loadgen_server_metrics', 'pipeline_runs',
        'inferencex_captures', 'inferencex_files', 'inferencex_records', 'inferencex_capture_records',
        'inferencex_fetches',
    ]) }}
{%- endmacro %}

{% macro raw_lake_location() -%}
    {{ return(var('raw_lake', none) or env_var('SEMIBENCH_LAKE', env_var('PWD', '.') ~ '/warehouse/lake')) }}
{%- endmacro %}

{% macro register_raw_lake() -%}
    {{ return(adapter.dispatch('register_raw_lake', 'semibench')()) }}
{%- endmacro %}

{% macro default__register_raw_lake() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_lake() -%}
    {%- if execute -%}
        {%- set lake = semibench.raw_lake_location() | replace("'", "") -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for table in semibench.raw_lake_tables() -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query("create table raw." ~ table ~ " using parquet options (mergeSchema 'true') location '"
                             ~ lake ~ "/" ~ table ~ "'") -%}
            {#- partition recovery only for a date-partitioned lake: MSCK fails on a flat one (a single
                part-0.parquet per table, as the dev lake /tmp/spike/lake) -#}
            {%- set described = run_query('describe table raw.' ~ table) -%}
            {%- if '# Partition Information' in described.columns[0].values() -%}
                {%- do run_query('msck repair table raw.' ~ table) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
