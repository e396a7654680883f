-- One row per landed loadgen run: header facts, the end line (null for a killed run), the InferenceMAX
-- placement hints from `--metadata` (hw_key, precision, tp) and lineage. summary.json is kept out of
-- this view (it can be large); stg_loadgen__summaries types the parts the checks need.

with runs as (

    select * from {{ source('loadgen', 'loadgen_runs') }}

),

parsed as (

    select
        *,
        {{ semibench.json_struct('config', {'metadata': {'hw_key': 'varchar', 'precision': 'varchar', 'tp': 'varchar'},
            'goodput': {'ttft': 'varchar', 'tpot': 'varchar', 'e2el': 'varchar'},
            'prefix_count': 'varchar', 'prefix_len': 'varchar', 'block_tokens': 'varchar', 'turns': 'varchar',
            'think_time': 'varchar', 'ramp_up_s': 'varchar', 'rate_series': 'varchar',
            'stop_on_saturation': 'varchar', 'calibrate_isl': 'varchar', 'words_per_token': 'varchar'}) }} as config_fields,
        {{ semibench.json_struct('summary', {'stopped_early': 'varchar', 'client_distorted': 'varchar',
            'client_warning': 'varchar', 'client_loop_lag_p99_ms': 'varchar', 'client_cpu_util': 'varchar',
            'p99_schedule_lag_ms': 'varchar', 'served_isl_p50': 'varchar', 'served_osl_p50': 'varchar'}) }} as summary_fields
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
    end_main_start_offset_ns,
    -- the run's own --goodput SLOs (ms), which --find-max judged its steps by
    {{ semibench.try_cast('config_fields.goodput.ttft', semibench.type_double()) }} as slo_ttft_ms,
    {{ semibench.try_cast('config_fields.goodput.tpot', semibench.type_double()) }} as slo_tpot_ms,
    {{ semibench.try_cast('config_fields.goodput.e2el', semibench.type_double()) }} as slo_e2el_ms,
    -- workload parameters of the newer run kinds (null where they do not apply or in older traces)
    case when dataset = 'shared-prefix' then {{ semibench.try_cast('config_fields.prefix_count', dbt.type_int()) }} end as prefix_count,
    case when dataset = 'shared-prefix' then {{ semibench.try_cast('config_fields.prefix_len', dbt.type_int()) }} end as prefix_len,
    case when dataset = 'mooncake' then {{ semibench.try_cast('config_fields.block_tokens', dbt.type_int()) }} end as block_tokens,
    case when dataset = 'multi-turn' then coalesce(config_fields.turns, '4') end as turns_spec,
    case when dataset in ('multi-turn', 'sessions', 'sharegpt') then coalesce(config_fields.think_time, '0') end as think_time_spec,
    {{ semibench.try_cast('config_fields.ramp_up_s', semibench.type_double()) }} as ramp_up_s,
    config_fields.rate_series as rate_series_file,
    coalesce({{ semibench.text_to_boolean('config_fields.stop_on_saturation') }}, false) as has_saturation_guard,
    coalesce({{ semibench.text_to_boolean('config_fields.calibrate_isl') }}, false) as is_isl_calibrated,
    -- what the run found out about itself (summary.json): the guard's stop, the client's own lag, the ISL served
    nullif(summary_fields.stopped_early, '') as stopped_early,
    coalesce({{ semibench.text_to_boolean('summary_fields.client_distorted') }}, false) as is_client_distorted,
    nullif(summary_fields.client_warning, '') as client_warning,
    {{ semibench.try_cast('summary_fields.client_loop_lag_p99_ms', semibench.type_double()) }} as client_loop_lag_p99_ms,
    {{ semibench.try_cast('summary_fields.client_cpu_util', semibench.type_double()) }} as client_cpu_util,
    {{ semibench.try_cast('summary_fields.p99_schedule_lag_ms', semibench.type_double()) }} as p99_schedule_lag_ms,
    {{ semibench.try_cast('summary_fields.served_isl_p50', semibench.type_double()) }} as served_isl_p50,
    {{ semibench.try_cast('summary_fields.served_osl_p50', semibench.type_double()) }} as served_osl_p50
from parsed
