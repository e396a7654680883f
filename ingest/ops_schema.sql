-- Pipeline run log, mirrored from the append-only <archive>/pipeline_runs.jsonl (semibench/ops/runlog.py).
-- Unlike the other raw tables this one is replaced whole on every sync: the JSONL file is the durable
-- record (it outlives warehouse rebuilds), the table only makes it queryable. dbt models it as
-- `pipeline_runs` and `pipeline_run_steps` (models/marts/ops/).
create schema if not exists raw;

create table if not exists raw.pipeline_runs (
    run_id             varchar   not null primary key,  -- <UTC start>-<random>, sortable
    trigger            varchar   not null,  -- manual | once | schedule | rebuild
    status             varchar   not null,  -- success | failed | interrupted | skipped_locked | running
    started_at         timestamp not null,  -- UTC
    ended_at           timestamp,           -- UTC; null while running or when the run was killed
    seconds            double,
    pid                integer,
    host               varchar,
    steps              json      not null,  -- [{name, status, seconds, error}] in execution order
    snapshot_id        varchar,             -- InferenceMAX snapshot ingested (latest replayed, for a rebuild)
    snapshot_was_new   boolean,
    rows_landed        bigint,              -- raw points landed by this run (0: content already landed)
    dbt_tests_failed   integer,             -- data/unit tests with status fail or error
    dbt_tests_warned   integer,
    dbt_nodes_errored  integer,             -- models/seeds with status error
    published          boolean,             -- this run published a new read-only copy
    error              varchar,             -- one-line reason for failed / interrupted / skipped runs
    alerts             varchar[]            -- alerts sent (or why sending failed)
);
