{#
  Records of loadgen runs that ingest landed with problems, each verbatim with every reason: request lines
  (and lines that are not requests at all: not JSON, a killed writer's half-written last line, a line of
  another run), end lines and summary.json files. Every other model leaves them out (a quarantined end
  line makes its run read as one without end line), so one bad record never fails a build; this model is
  how they are found (docs/loadgen_warehouse.md). Columns shared with the other families' quarantine
  models come first; batch_id is the run id.
#}

with runs as (

    select * from {{ source('loadgen', 'loadgen_runs') }}

),

lines as (

    select
        requests.run_id,
        runs.trace_file as source_file,
        'line ' || cast(requests.line_no as {{ dbt.type_string() }}) as record_locator,
        requests.quarantine_reasons as reasons,
        requests.record as record_json,
        requests.loaded_at as landed_at,
        'request' as record_kind,
        requests.ingest_notes
    from {{ source('loadgen', 'loadgen_requests') }} as requests
    inner join runs
        on requests.run_id = runs.run_id
    where requests.quarantine_reasons is not null

),

end_lines as (

    select
        run_id,
        trace_file as source_file,
        'line ' || cast(end_line_no as {{ dbt.type_string() }}) as record_locator,
        end_quarantine_reasons as reasons,
        end_record as record_json,
        loaded_at as landed_at,
        'end' as record_kind,
        end_ingest_notes as ingest_notes
    from runs
    where end_quarantine_reasons is not null

),

summaries as (

    select
        run_id,
        summary_file as source_file,
        'summary' as record_locator,
        summary_quarantine_reasons as reasons,
        cast(summary as {{ dbt.type_string() }}) as record_json,
        loaded_at as landed_at,
        'summary' as record_kind,
        summary_ingest_notes as ingest_notes
    from runs
    where summary_quarantine_reasons is not null

),

quarantined as (

    select * from lines
    union all
    select * from end_lines
    union all
    select * from summaries

)

select
    'loadgen' as family,
    run_id as batch_id,
    source_file,
    record_locator,
    reasons,
    record_json,
    landed_at,
    record_kind,
    ingest_notes
from quarantined
