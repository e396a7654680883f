-- Valid interactivity points of every snapshot, x/y renamed interactivity_x / interactivity_y.

select
    point_id,
    snapshot_id,
    source_file,
    record_index,
    model_slug,
    sequence_slug,
    isl,
    osl,
    hw_key,
    hw_key_raw,
    precision,
    tp,
    conc,
    point_date,
    x as interactivity_x,
    y as interactivity_y,
    {%- for metric in semibench.inferencemax_roofed_metrics() %}
    {{ metric }},
    {{ metric }}_roof,
    {%- endfor %}
    {%- for field in semibench.inferencemax_run_fields() %}
    {{ field }},
    {%- endfor %}
    fetched_at
from {{ ref('stg_inferencemax__points') }}
where data_type = 'interactivity'
