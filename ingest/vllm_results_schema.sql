-- Raw landing tables for benchmark-run results (`semibench ingest vllm-results`): saved vLLM `bench serve`
-- result JSON and InferenceMAX run aggregates. The ingester is the only writer; rows are append-only and
-- carry lineage. dbt reads them as source `vllm_results` (models/staging/vllm/_vllm__models.yml); typing,
-- unit conversion and unnesting happen there.
create schema if not exists raw;

-- one row per ingest run that landed (a rejected strict run leaves no trace: nothing half-landed)
create table if not exists raw.vllm_result_batches (
    batch_id                varchar   not null primary key,
    loaded_at               timestamp not null,  -- UTC
    mode                    varchar   not null,  -- quarantine | strict | skip_bad
    inputs                  varchar[] not null,  -- the paths as given on the command line
    file_count              integer   not null,  -- files read after expanding directories
    records_read            integer   not null,  -- valid records (runs) found in the files
    records_landed          integer   not null,  -- new content, inserted into raw.vllm_results
    records_already_landed  integer   not null,  -- content already present (re-ingest or a byte-identical copy)
    records_rejected        integer   not null   -- always 0 in strict mode; see raw.vllm_result_rejects
);

-- one row per distinct run record: a vLLM result object, or one element of an InferenceMAX aggregate file
create table if not exists raw.vllm_results (
    batch_id        varchar   not null,
    source_file     varchar   not null,  -- absolute path of the file read
    source_format   varchar   not null,  -- json_object | json_array | jsonl (vLLM --append-result)
    source_locator  varchar   not null,  -- `$` (whole file), `[3]` (array element, 0-based) or `line 2` (jsonl)
    record_kind     varchar   not null,  -- vllm_bench | inferencemax_agg
    record_sha256   varchar   not null primary key,  -- of the canonical JSON (sorted keys) of the record
    record          json      not null,  -- the record verbatim (the file itself for a single object)
    loaded_at       timestamp not null
);

-- files and records skipped by `--skip-bad` runs, so what was left out stays auditable
create table if not exists raw.vllm_result_rejects (
    batch_id        varchar   not null,
    source_file     varchar   not null,
    source_locator  varchar   not null,  -- empty when the whole file was unreadable
    reason          varchar   not null,
    loaded_at       timestamp not null
);

-- issue 10: a record with problems lands verbatim, quarantined, instead of failing its batch. Added with
-- `alter` so warehouses created before keep working (older rows: null = usable, 0 quarantined).
alter table raw.vllm_results add column if not exists quarantine_reasons varchar;  -- every reason, '; '-joined; null = usable
alter table raw.vllm_results add column if not exists ingest_notes varchar;        -- accepted oddities (a numeric string, ...)
alter table raw.vllm_result_batches add column if not exists records_quarantined integer default 0;  -- landed with quarantine_reasons
