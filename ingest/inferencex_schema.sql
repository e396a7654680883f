-- Raw landing tables of the InferenceX source (`semibench ingest inferencex`, docs/inferencex.md). The ingester
-- is the only writer; rows are append-only. One generic records table for every route and dump table
-- (record_kind says which): records are kept verbatim and content-addressed, so a new route or dump table
-- needs no DDL, and staging (models/staging/inferencex) does all typing.
create schema if not exists raw;

-- one row per distinct capture content (capture_id = hash of its files' names and sha256s)
create table if not exists raw.inferencex_captures (
    capture_id           varchar   not null primary key,
    source               varchar   not null,  -- base URL or directory read
    source_kind          varchar   not null,  -- api | fixture | archive | db_dump
    fetched_at           timestamp not null,  -- UTC time of the first fetch of this content
    loaded_at            timestamp not null,
    file_count           integer   not null,
    record_count         integer   not null,  -- records in its files (with repeats)
    records_quarantined  integer   not null,  -- records that landed with problems
    archive_path         varchar   not null,
    manifest             json      not null
);

-- one row per file (response or dump table) of a capture
create table if not exists raw.inferencex_files (
    capture_id    varchar   not null,
    source_file   varchar   not null,  -- archive file name, e.g. benchmarks__model=DeepSeek-R1-0528.json
    route         varchar   not null,  -- benchmarks | benchmarks/history | ... | dump/<table>
    url           varchar   not null,  -- URL fetched, or the local path read
    params        json      not null,  -- query parameters of the request ({} for files read from disk)
    sha256        varchar   not null,  -- of the bytes as received
    byte_count    bigint    not null,
    record_count  integer   not null,
    fetched_at    timestamp not null,
    loaded_at     timestamp not null,
    primary key (capture_id, source_file)
);

-- one row per distinct record content per kind: the first capture that brought it is its lineage
create table if not exists raw.inferencex_records (
    record_kind    varchar   not null,  -- benchmarks | benchmarks_history | ... | dump_<table>
    record_sha256  varchar   not null,  -- of the canonical JSON (sorted keys)
    record         json      not null,  -- verbatim
    problems       varchar,             -- null = valid; else every reason, joined with '; '
    notes          varchar,             -- accepted oddities (numeric strings ...), joined with '; '
    capture_id     varchar   not null,
    source_file    varchar   not null,
    record_locator varchar   not null,  -- e.g. [12] or runs[3]
    fetched_at     timestamp not null,
    loaded_at      timestamp not null,
    primary key (record_kind, record_sha256)
);

-- which records each capture held (a record seen again in a later capture gets a row here, not a copy)
create table if not exists raw.inferencex_capture_records (
    capture_id     varchar   not null,
    source_file    varchar   not null,
    record_index   integer   not null,  -- 0-based position in its array
    record_kind    varchar   not null,
    record_sha256  varchar   not null,
    primary key (capture_id, source_file, record_kind, record_index)
);

-- every ingest of a capture, including re-ingests of content already landed
create table if not exists raw.inferencex_fetches (
    capture_id   varchar   not null,
    source       varchar   not null,
    fetched_at   timestamp not null,
    loaded_at    timestamp not null,
    was_new      boolean   not null
);
