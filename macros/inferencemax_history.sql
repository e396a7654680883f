{#
  Helpers of the incremental InferenceMAX models: base_inferencemax__points, int_inferencemax__points_joined_history,
  int_inferencemax__hardware_snapshot_stats (per snapshot) and int_inferencemax__snapshot_point_diffs (per pair
  of consecutive snapshots, keyed by the later one).

  A snapshot's content never changes (its id is a content hash), so each snapshot is modelled once and
  only snapshots not yet modelled are processed. "Not yet modelled" is decided by a fingerprint,
  `snapshot_batch_key`, stored on every row:

    base:          hash(snapshot_id, raw row count, latest raw loaded_at, hardware_key_aliases content, the model's SQL checksum)
    downstream:    hash(upstream batch key, the model's SQL checksum, the vars it depends on)
    pair (diffs):  hash(both snapshots' joined batch keys, the model's SQL checksum, var snapshot_diff_tolerance)

  A snapshot (pair) is (re)processed when its current fingerprint is not the stored one. That covers a new
  snapshot, a snapshot deleted by retention and landed again (new loaded_at), extra raw rows of a modelled
  snapshot, an edit of the alias seed, of a var or of the model's own SQL (every snapshot is then
  reprocessed: what --full-refresh would do, done automatically). It does NOT cover edits of macros the
  models call (json_struct, the column lists): after such an edit run `dbt build --full-refresh`.
  Rows whose (snapshot_id, snapshot_batch_key) is no longer current (snapshot deleted by retention, pair
  no longer consecutive, or reprocessed under a new fingerprint) are deleted by the post-hook
  `delete_stale_batch_rows` (macros/incremental_batches.sql), inside the model's transaction.

  Every fingerprint includes the snapshot id (the derived ones through their upstream key), so a batch
  key identifies exactly one snapshot (or pair). Spark (parquet tables: no DELETE) relies on that: the
  tables are partitioned by snapshot_batch_key (macro snapshot_incremental_config, insert_overwrite with
  dynamic partition overwrite) and the post-hook drops the partitions of stale batch keys.

  Recency (latest snapshot, ordinal, fetch time) is never stored in these tables: it changes with every
  fetch. Views and tables downstream join it from stg_inferencemax__snapshots.
#}

{# Per snapshot of raw.inferencemax_points: snapshot_id and its current base fingerprint. Used by the base
   model (to choose what to process) and by its post-hook (to delete what is stale), so both agree. #}
{% macro inferencemax_raw_batches() -%}
    {%- set alias_pairs = dbt.concat(['old_hw_key', "'>'", 'hw_key']) -%}
    select
        raw_batches.snapshot_id,
        {{ dbt.hash(dbt.concat([
            'raw_batches.snapshot_id', "'|'",
            dbt.cast('raw_batches.raw_row_count', dbt.type_string()), "'|'",
            dbt.cast('raw_batches.raw_loaded_at', dbt.type_string()), "'|'",
            'alias_fingerprint.aliases', "'|'",
            "'" ~ semibench.model_checksum() ~ "'"
        ])) }} as snapshot_batch_key
    from (
        select snapshot_id, count(*) as raw_row_count, max(loaded_at) as raw_loaded_at
        from {{ source('inferencemax', 'inferencemax_points') }}
        group by snapshot_id
    ) as raw_batches
    cross join (
        select coalesce({{ semibench.sorted_string_agg(alias_pairs, "','") }}, '') as aliases
        from {{ ref('hardware_key_aliases') }}
    ) as alias_fingerprint
{%- endmacro %}

{# sha256 of the calling model's SQL file, so editing a model reprocesses every snapshot it modelled #}
{% macro model_checksum() -%}
    {%- if model is defined and model.checksum is defined and model.checksum -%}
        {{- model.checksum.checksum -}}
    {%- else -%}
        {{- 'no-checksum' -}}
    {%- endif -%}
{%- endmacro %}

{# Per snapshot of an upstream incremental relation: snapshot_id and this model's fingerprint, derived
   from the upstream one (so a snapshot reprocessed upstream is reprocessed here too), this model's SQL
   checksum and `salt` (the vars the model depends on). #}
{% macro derived_snapshot_batches(upstream, salt='') -%}
    select
        snapshot_id,
        {{ dbt.hash(dbt.concat([
            'snapshot_batch_key', "'|'",
            "'" ~ semibench.model_checksum() ~ "'", "'|'",
            "'" ~ salt ~ "'"
        ])) }} as snapshot_batch_key
    from (
        select distinct snapshot_id, snapshot_batch_key
        from {{ upstream }}
    ) as upstream_batches
{%- endmacro %}

{# True when a measured value differs between two snapshots: one side null and the other not, or both
   present and the relative difference above `tolerance` (so float noise from a re-serialisation is not
   a change, while any real edit is). #}
{% macro value_changed(old, new, tolerance) -%}
    case
        when {{ old }} is null and {{ new }} is null then false
        when {{ old }} is null or {{ new }} is null then true
        else abs({{ new }} - {{ old }}) > {{ tolerance }} * greatest(abs({{ old }}), abs({{ new }}))
    end
{%- endmacro %}

{# Consecutive snapshot pairs by recency (the later snapshot's id, its predecessor's) with a fingerprint of
   both snapshots' points (their int_inferencemax__points_joined_history batch keys), the calling model's
   SQL checksum and `salt`. A pair whose snapshots are unchanged keeps its fingerprint whatever else
   happens to the ordering. #}
{% macro inferencemax_snapshot_pairs(salt='') -%}
    select
        snapshots.snapshot_id,
        snapshots.previous_snapshot_id,
        {{ dbt.hash(dbt.concat([
            'current_batches.snapshot_batch_key', "'|'",
            'previous_batches.snapshot_batch_key', "'|'",
            "'" ~ semibench.model_checksum() ~ "'", "'|'",
            "'" ~ salt ~ "'"
        ])) }} as snapshot_batch_key
    from {{ ref('stg_inferencemax__snapshots') }} as snapshots
    inner join (
        select distinct snapshot_id, snapshot_batch_key
        from {{ ref('int_inferencemax__points_joined_history') }}
    ) as current_batches
        on snapshots.snapshot_id = current_batches.snapshot_id
    inner join (
        select distinct snapshot_id, snapshot_batch_key
        from {{ ref('int_inferencemax__points_joined_history') }}
    ) as previous_batches
        on snapshots.previous_snapshot_id = previous_batches.snapshot_id
{%- endmacro %}
