{#
  The two incremental families (InferenceMAX snapshots: macros/inferencemax_history.sql; loadgen runs:
  macros/loadgen_incremental.sql) share one mechanism: every modelled row carries its batch's fingerprint
  (`key_column`) next to the batch id (`id_column`); a build processes the batches whose current fingerprint
  the model does not hold yet, and a post-hook deletes rows whose (id, fingerprint) is no longer current.
#}

{# The rows of CTE `batches` (id_column, key_column) not yet in this incremental model with that fingerprint:
   every batch on a full build, only new or changed ones on an incremental run. #}
{% macro pending_batches(batches, id_column, key_column) -%}
    {%- if is_incremental() and execute -%}
        {#- a table built before the model was incremental has no fingerprint: say what to do instead of
            failing on a missing column -#}
        {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if key_column not in existing -%}
            {{ exceptions.raise_compiler_error(this ~ " has no " ~ key_column ~ " column: it was built before this model "
                ~ "was incremental. Rebuild it once with `dbt build --full-refresh` (or `semibench build --full-refresh`).") }}
        {%- endif -%}
    {%- endif %}
    select {{ batches }}.*
    from {{ batches }}
    {%- if is_incremental() %}
    where not exists (
        select 1
        from (select distinct {{ id_column }}, {{ key_column }} from {{ this }}) as modelled
        where modelled.{{ id_column }} = {{ batches }}.{{ id_column }}
            and modelled.{{ key_column }} = {{ batches }}.{{ key_column }}
    )
    {%- endif %}
{%- endmacro %}

{# Post-hook: delete the rows of `relation` whose (id_column, key_column) is not among the current batches
   (a batch removed from raw or by retention, an old copy of a reprocessed batch). Runs inside the model's
   transaction, after the insert. `partition_column`: the Spark partition column (see below). #}
{% macro delete_stale_batch_rows(relation, current_batches_sql, id_column, key_column, partition_column) -%}
    {{ return(adapter.dispatch('delete_stale_batch_rows', 'semibench')(relation, current_batches_sql, id_column,
                                                                        key_column, partition_column)) }}
{%- endmacro %}

{% macro default__delete_stale_batch_rows(relation, current_batches_sql, id_column, key_column, partition_column) -%}
    delete from {{ relation }} as modelled
    where not exists (
        select 1
        from ({{ current_batches_sql }}) as current_batches
        where current_batches.{{ id_column }} = modelled.{{ id_column }}
            and current_batches.{{ key_column }} = modelled.{{ key_column }}
    )
{%- endmacro %}

{#- Spark: parquet tables have no DELETE, but the models are partitioned by `partition_column` (the
    fingerprint of a snapshot, the id of a run), so stale rows are whole partitions: find them, drop them.
    Rendered when the hook runs, after the insert. -#}
{% macro spark__delete_stale_batch_rows(relation, current_batches_sql, id_column, key_column, partition_column) -%}
    {%- if execute -%}
        {%- set stale = run_query(
            "select distinct modelled." ~ partition_column ~ " from " ~ relation ~ " as modelled"
            ~ " left anti join (" ~ current_batches_sql ~ ") as current_batches"
            ~ " on current_batches." ~ id_column ~ " = modelled." ~ id_column
            ~ " and current_batches." ~ key_column ~ " = modelled." ~ key_column) -%}
        {%- for row in stale.rows -%}
            {%- do run_query("alter table " ~ relation ~ " drop if exists partition (" ~ partition_column ~ " = '"
                             ~ (row[0] | replace("\\", "\\\\") | replace("'", "\\'")) ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
