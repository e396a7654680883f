-- One row per landed loadgen run: header facts, the end line (null for a killed run), the InferenceMAX
-- placement hints from `--metadata` (hw_key, precision, tp) and lineage. summary.json is kept out of
-- this view (it can be large); stg_loadgen__summaries types the parts the checks need.

with runs as (

    select * from {{ source('loadgen', 'loadgen_runs') }}

),

parsed as (

    select
        *,
        {{ semibench.json_struct('config', {'metadata': {'hw_key': 'varchar', 'precision': 'varchar', 'tp': 'varchar'}}) }} as config_fields
    from runs

)

select
    run_id,
    trace_file as source_file,
    summary_file,
    summary is not null as has_summary,
    trace_sha256,
    torn_last_line,
    requests_landed,
    batch_id,
    loaded_at,
    tool,
    tool_version,
    host,
    model,
    deployments,
    backend,
    dataset,
    dataset_path,
    {{ dbt.cast('isl', dbt.type_int()) }} as isl,
    {{ dbt.cast('osl', dbt.type_int()) }} as osl,
    {{ dbt.cast('num_gpus', dbt.type_int()) }} as num_gpus,
    nullif(trim(config_fields.metadata.hw_key), '') as hw_key,
    nullif(trim(config_fields.metadata.precision), '') as precision,
    {{ semibench.try_cast('config_fields.metadata.tp', dbt.type_int()) }} as tp,
    request_rate,
    burstiness,
    arrival,
    {{ dbt.cast('max_concurrency', dbt.type_int()) }} as max_concurrency,
    num_prompts,
    duration_s as duration_limit_s,
    warmup_requests,
    workers,
    sweep_id,
    sweep_step,
    label,
    -- Runs landed before loadgen recorded `simulated` carry null: the main job's serve-sim demo is known by its label.
    coalesce(simulated, label in ('semibench-run-demo', 'serve-sim-demo'), false) as is_simulated,
    -- wall-clock start in UTC (start_unix_ns is ns since the epoch; microsecond precision)
    {{ semibench.timestamp_from_epoch_ns('start_unix_ns') }} as started_at,
    start_unix_ns,
    end_status is not null as has_end_line,
    coalesce(end_status, 'incomplete') as status,
    case when end_unix_ns is not null then {{ semibench.timestamp_from_epoch_ns('end_unix_ns') }} end as ended_at,
    end_duration_s,
    end_requests_written,
    end_main_start_offset_ns
from parsed
