{#
  Incremental request-trace models (int_loadgen__chunks, fct_requests): one batch = one loadgen run.

  A run's rows depend only on that run's raw rows, and the ingester replaces a run as a whole (runs row
  + request rows, one transaction, new batch_id and loaded_at) when its trace grew. So each run is
  modelled once, under a fingerprint stored on every row, `run_batch_key`:

      hash(run_id, batch_id, loaded_at, requests_landed of raw.loadgen_runs, the model's SQL checksum, salt)

  (salt = the vars the model depends on, e.g. the goodput SLOs of fct_requests.) An incremental build
  processes only runs whose current fingerprint is not stored yet:

    * a new run, or a run replaced by a grown trace (new batch_id / loaded_at): delete+insert on run_id,
      so its old rows go and the new ones come in, in the model's transaction;
    * a run removed from raw (deleted by hand, or a warehouse rebuilt without it): the post-hook
      `delete_stale_batch_rows` (macros/incremental_batches.sql) deletes its rows, like the InferenceMAX history models do for retention;
    * an edit of the model's SQL or of a var in the salt: every run's fingerprint changes, so every run
      is reprocessed (what --full-refresh would do). Edits of MACROS the model calls are not seen:
      run `dbt build --full-refresh` after those;
    * unchanged runs are not read beyond their fingerprint and their rows are not rewritten.

  A run with no request rows has no rows to carry a fingerprint, so it is "pending" on every build and
  costs an empty select.
#}

{# the incremental config of the trace models, per adapter: `{{ config(**semibench.trace_incremental_config()) }}` #}
{% macro trace_incremental_config() -%}
    {{ return(adapter.dispatch('trace_incremental_config', 'semibench')()) }}
{%- endmacro %}

{% macro default__trace_incremental_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'run_id',
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{# Spark: replace whole run partitions (dynamic partition overwrite: set
   spark.sql.sources.partitionOverwriteMode=dynamic, or use a table format that does it). The stale-row
   post-hook needs a format with DELETE (delta / iceberg); on plain parquet it is skipped, and a run
   removed from raw keeps its partition until a --full-refresh. #}
{% macro spark__trace_incremental_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': ['run_id'],
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{# sha256 over the run's landing lineage, the calling model's SQL checksum and `salt` #}
{% macro loadgen_run_batches(salt='') -%}
    select
        run_id,
        {{ dbt.hash(dbt.concat([
            'run_id', "'|'",
            'batch_id', "'|'",
            dbt.cast('loaded_at', dbt.type_string()), "'|'",
            dbt.cast('requests_landed', dbt.type_string()), "'|'",
            "'" ~ semibench.model_checksum() ~ "'", "'|'",
            "'" ~ salt ~ "'"
        ])) }} as run_batch_key
    from {{ source('loadgen', 'loadgen_runs') }}
{%- endmacro %}
