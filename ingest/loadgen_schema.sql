-- Raw landing tables for loadgen runs (`semibench ingest traces`, and `semibench loadgen` when it finishes).
-- Column names and types mirror loadgen/records.py (RUN_FIELDS, END_FIELDS, REQUEST_FIELDS); a test checks
-- that they stay in step. The ingester is the only writer. A run is replaced as a whole (runs row + request
-- rows, one transaction) only when its trace grew since it was landed; otherwise re-ingesting adds nothing.
-- dbt reads them as source `loadgen` (models/staging/loadgen/_loadgen__models.yml).
create schema if not exists raw;

-- one row per run: the trace's header line, its end line (null columns for a killed run), summary.json
create table if not exists raw.loadgen_runs (
    run_id                  varchar   not null primary key,
    -- header line ({"type":"run"}), typed as RUN_FIELDS
    schema_version          bigint,
    tool                    varchar,
    tool_version            varchar,
    host                    varchar,
    pid                     bigint,
    start_time              varchar,
    start_unix_ns           bigint,
    start_mono_ns           bigint,
    model                   varchar,
    deployments             varchar[],
    backend                 varchar,
    dataset                 varchar,
    dataset_path            varchar,
    isl                     bigint,
    osl                     bigint,
    num_gpus                bigint,
    request_rate            double,     -- null = inf
    burstiness              double,
    arrival                 varchar,
    max_concurrency         bigint,
    num_prompts             bigint,
    duration_s              double,     -- the --duration option, not the measured duration
    warmup_requests         bigint,
    workers                 bigint,
    sweep_id                varchar,
    sweep_step              bigint,
    label                   varchar,
    shards                  json,
    config                  json,
    -- end line ({"type":"end"}), typed as END_FIELDS with an end_ prefix; all null when the trace has none
    end_status              varchar,
    end_time                varchar,
    end_unix_ns             bigint,
    end_duration_s          double,     -- measured main-phase duration (vLLM's `duration`)
    end_requests_written    bigint,
    end_main_start_offset_ns bigint,
    -- lineage
    summary                 json,       -- summary.json next to the trace, verbatim; null when absent
    summary_file            varchar,
    summary_sha256          varchar,
    trace_file              varchar   not null,  -- absolute path of the trace.jsonl read
    trace_sha256            varchar   not null,  -- of the whole file as read (a torn last line included)
    trace_bytes             bigint    not null,
    torn_last_line          boolean   not null,  -- a killed writer's partial last line was skipped
    requests_landed         bigint    not null,  -- request lines landed in raw.loadgen_requests
    batch_id                varchar   not null,
    loaded_at               timestamp not null,  -- UTC
    -- added later (last, as the alter below adds them to older warehouses): header `simulated`
    simulated               boolean     -- null in runs landed before loadgen recorded it
);

-- one row per request line, typed as REQUEST_FIELDS (the constant `type` column dropped)
create table if not exists raw.loadgen_requests (
    run_id                  varchar   not null,
    request_id              varchar,             -- null only on a quarantined line that has none
    seq                     bigint,
    warmup                  boolean,
    worker                  bigint,
    shard                   varchar,
    endpoint                varchar,
    deployment              varchar,
    model                   varchar,
    backend                 varchar,
    scheduled_offset_ns     bigint,
    send_offset_ns          bigint,
    send_unix_ns            bigint,
    queue_ns                bigint,
    chunk_ns                bigint[],
    num_chunks              bigint,
    ttft_ms                 double,
    e2el_ms                 double,
    tpot_ms                 double,
    itl_ms                  double[],
    input_tokens            bigint,
    output_tokens           bigint,
    input_tokens_estimated  boolean,
    output_tokens_estimated boolean,
    target_input_tokens     bigint,
    target_output_tokens    bigint,
    success                 boolean,
    http_status             bigint,
    error_class             varchar,
    error_message           varchar,
    retries                 bigint,
    finish_reason           varchar,
    inflight_at_send        bigint,
    shard_inflight_at_send  bigint,
    concurrency_limit       bigint,
    qps_limit               double,
    generated_text          varchar,
    loaded_at               timestamp not null,
    -- added later (last, as the alter below adds it to older warehouses)
    connection_retries      bigint      -- null in traces written before it existed
);

-- Warehouses created before these fields existed gain them here (DDL above is for new ones).
alter table raw.loadgen_runs add column if not exists simulated boolean;
alter table raw.loadgen_requests add column if not exists connection_retries bigint;
-- multi-turn sessions, shared prefixes and the server's prefix-cache report (null in older traces)
alter table raw.loadgen_requests add column if not exists session_id varchar;
alter table raw.loadgen_requests add column if not exists turn bigint;
alter table raw.loadgen_requests add column if not exists prefix_id bigint;
alter table raw.loadgen_requests add column if not exists cached_tokens bigint;

-- Record-level quarantine (docs/loadgen_warehouse.md "Landing rules"). A request line with problems (or a
-- line that is not a request at all: not JSON, a half-written last line, a line of another run) lands in
-- raw.loadgen_requests verbatim (`record`) with every reason; staging leaves it out. The run's own records,
-- its end line and its summary.json, carry their reasons on the run row. Notes: what was accepted as is.
alter table raw.loadgen_requests add column if not exists line_no bigint;            -- line in trace.jsonl
alter table raw.loadgen_requests add column if not exists record varchar;            -- the line verbatim, when quarantined
alter table raw.loadgen_requests add column if not exists quarantine_reasons varchar;  -- '; '-joined; null = usable
alter table raw.loadgen_requests add column if not exists ingest_notes varchar;
alter table raw.loadgen_requests alter column request_id drop not null;
alter table raw.loadgen_runs add column if not exists end_line_no bigint;
alter table raw.loadgen_runs add column if not exists end_record varchar;            -- end line verbatim, when quarantined
alter table raw.loadgen_runs add column if not exists end_quarantine_reasons varchar;
alter table raw.loadgen_runs add column if not exists end_ingest_notes varchar;
alter table raw.loadgen_runs add column if not exists summary_quarantine_reasons varchar;
alter table raw.loadgen_runs add column if not exists summary_ingest_notes varchar;

-- A sweep's index (sweep.json beside its step directories: --sweep-rate/--sweep-concurrency and --find-max),
-- one row per sweep, replaced when the file changed. The steps themselves are runs (header sweep_id/sweep_step).
create table if not exists raw.loadgen_sweeps (
    sweep_id                varchar   not null primary key,
    kind                    varchar   not null,  -- sweep | find-max
    param                   varchar,             -- request_rate | max_concurrency
    knee                    double,              -- find-max: highest load that passed (null: none / plain sweep)
    first_failing           double,              -- find-max: lowest load that failed
    note                    varchar,
    sweep                   json      not null,  -- sweep.json verbatim
    source_file             varchar   not null,
    source_sha256           varchar   not null,
    batch_id                varchar   not null,
    loaded_at               timestamp not null
);

-- --scrape-metrics: the server's own Prometheus gauges while a run lasted (server_metrics.jsonl beside the trace)
create table if not exists raw.loadgen_server_metrics (
    run_id                  varchar   not null,
    offset_ns               bigint    not null,  -- from the run's start (same clock as the trace's offsets)
    unix_ns                 bigint    not null,
    metric                  varchar   not null,  -- e.g. vllm:num_requests_waiting
    value                   double    not null,
    loaded_at               timestamp not null
);
