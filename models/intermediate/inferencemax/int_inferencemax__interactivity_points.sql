{{ config(materialized='view') }}
-- Valid interactivity points of every snapshot, x/y renamed interactivity_x / interactivity_y
-- (x = median interactivity, tok/s/user).

-- A view: the incremental int_inferencemax__points_joined_history reads only the snapshots it has not
-- modelled yet through it (the filter reaches the base table), so history is never copied again.

{{ semibench.inferencemax_points_of_type('interactivity') }}
