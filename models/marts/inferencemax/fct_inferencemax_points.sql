-- The merged InferenceMAX dataset for the latest snapshot: one row per benchmark run (interactivity and
-- e2e points joined on the six-key + date), enriched with model and hardware catalog attributes. The
-- warehouse equivalent of the old pipeline's inference_max_merged.csv, without its double counting.

with points as (

    select * from {{ ref('int_inferencemax__points_joined') }}
    where is_latest_snapshot

),

models as (

    select * from {{ ref('model_catalog') }}

),

hardware as (

    select * from {{ ref('hardware_catalog') }}

)

select
    points.point_key,
    points.snapshot_id,
    points.snapshot_fetched_at,
    points.model_slug,
    models.display_name as model_display_name,
    points.sequence_slug,
    points.isl,
    points.osl,
    points.hw_key,
    points.hw_key_raw,
    hardware.vendor,
    hardware.chip,
    hardware.engine,
    hardware.memory_gb,
    hardware.hw_key is not null as is_known_hardware,
    points.precision,
    points.tp,
    points.conc,
    points.point_date,
    points.match_status,
    points.interactivity_x,
    points.interactivity_y,
    points.e2e_x,
    points.e2e_y,
    points.y_agrees,
    points.y_relative_difference,
    {%- for metric in semibench.inferencemax_roofed_metrics() %}
    points.{{ metric }},
    {%- endfor %}
    {%- for metric in semibench.inferencemax_roofed_metrics() %}
    points.interactivity_{{ metric }}_roof,
    points.e2e_{{ metric }}_roof,
    {%- endfor %}
    {%- for field in semibench.inferencemax_run_fields() %}
    points.{{ field }},
    {%- endfor %}
    points.interactivity_point_id,
    points.e2e_point_id
from points
left join models
    on points.model_slug = models.model_slug
left join hardware
    on points.hw_key = hardware.hw_key
