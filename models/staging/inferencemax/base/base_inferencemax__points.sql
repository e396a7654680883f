{#- incremental per snapshot: delete+insert on snapshot_id on DuckDB, insert_overwrite by snapshot_batch_key
    on Spark (macros/cross_db/imx_portable.sql) -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    post_hook="{{ semibench.delete_stale_batch_rows(this, semibench.inferencemax_raw_batches(), 'snapshot_id', 'snapshot_batch_key', 'snapshot_batch_key') }}",
    **semibench.snapshot_incremental_config()
) }}
{#
  The ONE place the point JSON is parsed: every known field is extracted in a single pass (one
  json_struct call per row), typed with safe casts and renamed. Unknown fields are ignored here (they
  stay in raw.inferencemax_points.record). Identical records landed again by a re-ingest are collapsed
  on (snapshot_id, source_file, record_sha256).

  Incremental per snapshot (see macros/inferencemax_history.sql): parsing is the expensive step and a
  snapshot's content never changes, so only snapshots whose fingerprint (snapshot_batch_key) is not yet
  in this table are parsed; delete+insert on snapshot_id (DuckDB) or a dynamic insert_overwrite of the
  snapshot_batch_key partition (Spark) replaces a reprocessed snapshot whole, and the post-hook drops
  snapshots that retention removed from raw (and, on Spark, the partitions of superseded fingerprints). No recency column is stored here: which
  snapshot is latest changes with every fetch and is derived downstream from stg_inferencemax__snapshots.
  on_schema_change='fail': after a column change run `dbt build --full-refresh`.
#}

{%- set double = semibench.type_double() -%}
{%- set text_fields = ['hwKey', 'precision', 'date', 'hw', 'framework', 'run_url'] -%}
{%- set number_fields = ['x', 'y', 'tp', 'conc', 'ep', 'tput_per_gpu', 'output_tput_per_gpu', 'input_tput_per_gpu'] -%}
{%- set flag_fields = ['dp_attention', 'mtp', 'disagg'] -%}
{%- set latency_fields = [] -%}
{%- for metric in ['ttft', 'tpot', 'itl', 'e2el', 'intvty'] -%}
    {%- for stat in ['mean', 'median', 'p99', 'std'] -%}
        {%- do latency_fields.append(stat ~ '_' ~ metric) -%}
    {%- endfor -%}
{%- endfor -%}
{#- nested {y, roof} objects: json key -> column name -#}
{%- set nested_fields = {
    'tpPerGpu': 'tp_per_gpu',
    'tpPerMw': 'tp_per_mw',
    'costh': 'cost_hyperscaler',
    'costn': 'cost_neocloud',
    'costr': 'cost_rental',
    'costhi': 'cost_hyperscaler_input',
    'costni': 'cost_neocloud_input',
    'costri': 'cost_rental_input',
} -%}
{%- set spec = {} -%}
{%- for f in text_fields + number_fields + flag_fields + latency_fields -%}
    {%- do spec.update({f: 'varchar'}) -%}
{%- endfor -%}
{%- for f in nested_fields -%}
    {%- do spec.update({f: {'y': 'varchar', 'roof': 'varchar'}}) -%}
{%- endfor -%}

with batches as (

    {{ semibench.inferencemax_raw_batches() }}

),

pending_batches as (

    -- snapshots whose current fingerprint is not modelled yet (all of them on a full build)
    {{ semibench.pending_batches('batches', 'snapshot_id', 'snapshot_batch_key') }}

),

raw_points as (

    select
        pending_batches.snapshot_batch_key,
        raw.snapshot_id,
        source_file,
        model_slug,
        sequence_slug,
        data_type,
        record_index,
        record_sha256,
        record,
        fetched_at,
        loaded_at,
        quarantine_reasons as ingest_reasons,
        notes,
        row_number() over (
            partition by raw.snapshot_id, source_file, record_sha256
            order by loaded_at, record_index
        ) as copy_number
    from {{ source('inferencemax', 'inferencemax_points') }} as raw
    inner join pending_batches
        on raw.snapshot_id = pending_batches.snapshot_id

),

parsed as (

    select
        snapshot_batch_key,
        snapshot_id,
        source_file,
        model_slug,
        sequence_slug,
        data_type,
        record_index,
        record_sha256,
        fetched_at,
        loaded_at,
        record,
        ingest_reasons,
        notes,
        {{ semibench.json_struct('record', spec) }} as j
    from raw_points
    where copy_number = 1

),

typed as (

    select
        snapshot_batch_key,
        snapshot_id,
        source_file,
        model_slug,
        sequence_slug,
        data_type,
        record_index,
        record_sha256,
        fetched_at,
        loaded_at,
        record,
        ingest_reasons,
        notes,
        {{ semibench.sequence_slug_tokens('sequence_slug', 1) }} as isl,
        {{ semibench.sequence_slug_tokens('sequence_slug', 2) }} as osl,

        -- the plotted pair
        {{ semibench.try_cast('j.x', double) }} as x,
        {{ semibench.try_cast('j.y', double) }} as y,

        -- key fields
        j.hwKey as hw_key_raw,
        j.precision as precision,
        {{ semibench.try_cast('j.tp', double) }} as tp_number,
        {{ semibench.try_cast('j.conc', double) }} as conc_number,
        j.date as date_text,
        {{ semibench.try_cast('substring(j.date, 1, 10)', 'date') }} as point_date,

        -- nested {y, roof} metrics
        {%- for key, name in nested_fields.items() %}
        {{ semibench.try_cast('j.' ~ key ~ '.y', double) }} as {{ name }},
        {{ semibench.text_to_boolean('j.' ~ key ~ '.roof') }} as {{ name }}_roof,
        {%- endfor %}

        -- optional run fields (InferenceMAX process_result.py)
        j.hw as hw,
        j.framework as framework,
        {{ semibench.try_double_to_int(semibench.try_cast('j.ep', double)) }} as ep,
        {%- for f in flag_fields %}
        {{ semibench.text_to_boolean('j.' ~ f) }} as {{ f }},
        {%- endfor %}
        {{ semibench.try_cast('j.tput_per_gpu', double) }} as tput_per_gpu,
        {{ semibench.try_cast('j.output_tput_per_gpu', double) }} as output_tput_per_gpu,
        {{ semibench.try_cast('j.input_tput_per_gpu', double) }} as input_tput_per_gpu,
        {%- for f in latency_fields %}
        {{ semibench.try_cast('j.' ~ f, double) }} as {{ f }},
        {%- endfor %}
        j.run_url as run_url
    from parsed

),

integers as (

    select
        *,
        case when {{ semibench.is_finite('tp_number') }} and tp_number = floor(tp_number)
            then {{ semibench.try_cast('tp_number', dbt.type_int()) }} end as tp,
        case when {{ semibench.is_finite('conc_number') }} and conc_number = floor(conc_number)
            then {{ semibench.try_cast('conc_number', dbt.type_int()) }} end as conc
    from typed

),

aliases as (

    select * from {{ ref('hardware_key_aliases') }}

),

checked as (

    -- The ingester's reasons when it recorded any (it sees JSON types, e.g. a boolean tp); else the same
    -- checks re-derived here, for rows landed before the ingester recorded reasons.
    select
        integers.*,
        coalesce(aliases.hw_key, integers.hw_key_raw) as hw_key,
        coalesce(ingest_reasons, nullif(concat_ws('; ',
            case when data_type not in ('interactivity', 'e2e') then 'unknown data_type' end,
            case when isl is null or osl is null then 'sequence_slug not parseable' end,
            case when hw_key_raw is null or trim(hw_key_raw) = '' then 'missing or empty hwKey' end,
            case when precision is null or trim(precision) = '' then 'missing or empty precision' end,
            {%- for v in ['x', 'y'] %}
            case
                when {{ v }} is null then '{{ v }} missing or not a number'
                when not {{ semibench.is_finite(v) }} then '{{ v }} not finite'
                when {{ v }} <= 0 then '{{ v }} not positive'
            end,
            {%- endfor %}
            {%- for v in ['tp', 'conc'] %}
            case
                when {{ v }}_number is null then '{{ v }} missing or not a number'
                when {{ v }} is null then '{{ v }} not an integer'
                when {{ v }} <= 0 then '{{ v }} not positive'
            end,
            {%- endfor %}
            case when date_text is not null and point_date is null then 'date not parseable' end
        ), '')) as checked_reason
    from integers
    left join aliases
        on integers.hw_key_raw = aliases.old_hw_key

),

validated as (

    -- A second valid point with the same run key in one file (e.g. two spellings of one hwKey that the
    -- alias seed maps together) is quarantined, so the run key stays unique for the joins downstream.
    select
        *,
        coalesce(checked_reason, case when run_key_copy > 1
            then 'duplicate run key (hwKey, precision, tp, conc, date) in this file' end) as invalid_reason
    from (
        select
            *,
            row_number() over (
                partition by snapshot_id, source_file, hw_key, precision, tp, conc, point_date, checked_reason is null
                order by record_index
            ) as run_key_copy
        from checked
    ) as ranked

)

select
    {{ dbt.hash(dbt.concat(['snapshot_id', "'|'", 'source_file', "'|'", 'record_sha256'])) }} as point_id,
    snapshot_id,
    source_file,
    model_slug,
    sequence_slug,
    data_type,
    record_index,
    record_sha256,
    isl,
    osl,
    x,
    y,
    hw_key,
    hw_key_raw,
    precision,
    tp,
    conc,
    point_date,
    {%- for key, name in nested_fields.items() %}
    {{ name }},
    {{ name }}_roof,
    {%- endfor %}
    hw,
    framework,
    ep,
    dp_attention,
    mtp,
    disagg,
    tput_per_gpu,
    output_tput_per_gpu,
    input_tput_per_gpu,
    {%- for f in latency_fields %}
    {{ f }},
    {%- endfor %}
    run_url,
    notes,
    invalid_reason,
    -- the verbatim record, kept only for invalid rows (for the quarantine), null for valid ones
    case when invalid_reason is not null then {{ dbt.cast('record', dbt.type_string()) }} end as invalid_record,
    fetched_at,
    loaded_at,
    snapshot_batch_key,
    -- which dbt invocation modelled the row: shows what an incremental run (re)processed
    '{{ invocation_id }}' as dbt_invocation_id
from validated
