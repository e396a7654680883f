-- Raw landing tables. The ingester is the only writer; rows are append-only and carry lineage.
-- dbt reads these as sources (models/staging/*/_*__sources.yml).
create schema if not exists raw;

-- one row per distinct snapshot content (snapshot_id is content-addressed)
create table if not exists raw.inferencemax_snapshots (
    snapshot_id   varchar   not null primary key,
    source        varchar   not null,  -- base URL or directory it came from
    fetched_at    timestamp not null,  -- UTC time of the first fetch of this content
    loaded_at     timestamp not null,
    file_count    integer   not null,
    record_count  integer   not null,
    archive_path  varchar   not null,
    manifest      json      not null,
    is_partial    boolean   default false  -- landed with --allow-partial: configured files missing or empty
);

-- one row per file of a snapshot
create table if not exists raw.inferencemax_files (
    snapshot_id    varchar   not null,
    source_file    varchar   not null,  -- canonical served name, e.g. gpt-oss-120b-1k_1k-e2e.json
    source_url     varchar   not null,  -- URL fetched, or the local path it was read from
    model_slug     varchar   not null,
    sequence_slug  varchar   not null,  -- e.g. 1k_8k
    data_type      varchar   not null,  -- interactivity | e2e
    sha256         varchar   not null,  -- of the file bytes as fetched
    record_count   integer   not null,
    hw_keys        varchar[] not null,
    fetched_at     timestamp not null,
    loaded_at      timestamp not null,
    primary key (snapshot_id, source_file)
);

-- one row per benchmark point, the point kept verbatim as JSON
create table if not exists raw.inferencemax_points (
    snapshot_id    varchar   not null,
    source_file    varchar   not null,
    model_slug     varchar   not null,
    sequence_slug  varchar   not null,
    data_type      varchar   not null,
    record_index   integer   not null,  -- 0-based position in the file
    record_sha256  varchar   not null,  -- of the canonical JSON (sorted keys), for content dedupe
    record         json      not null,
    fetched_at     timestamp not null,
    loaded_at      timestamp not null,
    quarantine_reasons varchar,         -- the ingester's reasons ('; '-joined); null: the record is valid
    notes          varchar              -- accepted coercions, e.g. "coerced: conc from string '16'"
);

-- every fetch, including re-fetches of content already landed: recency comes from here
create table if not exists raw.inferencemax_fetches (
    snapshot_id  varchar   not null,
    source       varchar   not null,
    fetched_at   timestamp not null,
    loaded_at    timestamp not null,
    was_new      boolean   not null
);

-- Columns added after the first release: warehouses created before them gain them here (existing rows
-- read null / false, which is what they were: landed whole, with no record checked as bad).
alter table raw.inferencemax_snapshots add column if not exists is_partial boolean default false;
alter table raw.inferencemax_points add column if not exists quarantine_reasons varchar;
alter table raw.inferencemax_points add column if not exists notes varchar;
