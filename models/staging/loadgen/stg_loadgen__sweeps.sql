-- One row per sweep whose sweep.json was landed (--sweep-rate / --sweep-concurrency / --find-max): what loadgen
-- itself reported, the knee of a --find-max search included. The curve and the knee recomputed from the steps'
-- requests are mart_loadgen__sweep_curve and mart_loadgen__knee; reported_knee is here to compare against.

select
    sweep_id,
    kind,
    param,
    knee as reported_knee,
    first_failing as reported_first_failing,
    note,
    source_file,
    batch_id,
    loaded_at
from {{ source('loadgen', 'loadgen_sweeps') }}
