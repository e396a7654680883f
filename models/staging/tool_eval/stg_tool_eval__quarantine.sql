{#
  Tool-use evaluation records (test events, legacy master_database.json cells) that ingest landed with
  problems: each verbatim, with every reason. They are kept out of every other model (the staging models
  skip them), so one bad record never fails a build; this model is how they are found and fixed
  (docs/eval_events.md). Columns shared with the other families' quarantine models come first.
#}

select
    'tool_eval' as family,
    batch_id,
    source_file,
    source_locator as record_locator,
    quarantine_reasons as reasons,
    -- an unparsable line is stored as a JSON string holding its text: show the text itself
    case when record_kind = 'unparsed' then {{ semibench.json_text('record', '$') }}
         else cast(record as {{ dbt.type_string() }}) end as record_json,
    loaded_at as landed_at,
    record_kind,
    record_sha256,
    record_context,
    ingest_notes
from {{ source('tool_eval', 'eval_events') }}
where quarantine_reasons is not null
