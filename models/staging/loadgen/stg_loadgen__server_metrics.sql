-- The server's own Prometheus gauges while a run lasted (--scrape-metrics), one row per run x scrape x metric;
-- offset_ms is on the trace's clock (from the run's start), so it lines up with stg_loadgen__requests.send_offset_ns.

select
    run_id,
    offset_ns / 1e6 as offset_ms,
    {{ semibench.timestamp_from_epoch_ns('unix_ns') }} as scraped_at,
    metric,
    value,
    loaded_at
from {{ source('loadgen', 'loadgen_server_metrics') }}
