{{ config(materialized='view') }}
-- Valid e2e points of every snapshot, x/y renamed e2e_x / e2e_y (x = median end-to-end latency, s).

-- A view: the incremental int_inferencemax__points_joined_history reads only the snapshots it has not
-- modelled yet through it (the filter reaches the base table), so history is never copied again.

{{ semibench.inferencemax_points_of_type('e2e') }}
