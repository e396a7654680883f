-- Raw landing tables for tool-use evaluation logs (`semibench ingest eval-events`). The ingester is the only
-- writer; rows are append-only and carry lineage. dbt reads them as source `tool_eval`
-- (models/staging/tool_eval/_tool_eval__sources.yml); cleaning, normalisation and dedupe happen there.
create schema if not exists raw;

-- one row per ingest run that landed (a rejected strict run leaves no trace: nothing half-landed)
create table if not exists raw.eval_event_batches (
    batch_id                varchar   not null primary key,
    loaded_at               timestamp not null,  -- UTC
    mode                    varchar   not null,  -- quarantine | strict | skip_bad
    inputs                  varchar[] not null,  -- the paths as given on the command line
    file_count              integer   not null,  -- files read after expanding directories
    records_read            integer   not null,  -- valid records found in the files
    records_landed          integer   not null,  -- new content, inserted into raw.eval_events
    records_already_landed  integer   not null,  -- content already present (re-ingest or a byte-identical copy)
    records_rejected        integer   not null   -- always 0 in strict mode; see raw.eval_event_rejects
);

-- one row per distinct record content; a record is a test event or a legacy master_database.json cell
create table if not exists raw.eval_events (
    batch_id        varchar   not null,
    source_file     varchar   not null,  -- absolute path of the file read
    source_format   varchar   not null,  -- jsonl | json_array | master_database
    source_locator  varchar   not null,  -- `line 12` (JSONL), `[3]` (array), or models/<m>/by_prompt_type/... (legacy)
    record_kind     varchar   not null,  -- test | legacy_cell (an aggregate over `total` tests)
    record_sha256   varchar   not null primary key,  -- of the canonical JSON (sorted keys) of record + context
    record          json      not null,  -- the record verbatim (the JSONL line itself for JSONL)
    record_context  json,                -- legacy cells: model/prompt_type/tool_success_rate/difficulty/task_type
                                         -- from the path, and the file's version/last_updated; null for tests
    loaded_at       timestamp not null
);

-- records skipped by `--skip-bad` runs, so what was left out stays auditable
create table if not exists raw.eval_event_rejects (
    batch_id        varchar   not null,
    source_file     varchar   not null,
    source_locator  varchar   not null,  -- empty when the whole file was unreadable
    reason          varchar   not null,
    loaded_at       timestamp not null
);

-- issue 10: a record with problems lands verbatim, quarantined, instead of failing its batch. Added with
-- `alter` so warehouses created before keep working (older rows: null = usable, 0 quarantined).
alter table raw.eval_events add column if not exists quarantine_reasons varchar;  -- every reason, '; '-joined; null = usable
alter table raw.eval_events add column if not exists ingest_notes varchar;        -- accepted oddities (a numeric string, ...)
alter table raw.eval_event_batches add column if not exists records_quarantined integer default 0;  -- landed with quarantine_reasons
