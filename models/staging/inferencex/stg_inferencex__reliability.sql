-- Valid reliability rows. API rows are per (hardware, date) already summed over runs; dump rows are per
-- workflow run (dump_workflow_run_id set): sum them per (hardware, date) to compare with the API.
select
    source_route, hardware, stat_date, n_success, total, dump_workflow_run_id, record_sha256, batch_id
from {{ ref('base_inferencex__reliability') }}
where invalid_reason is null
