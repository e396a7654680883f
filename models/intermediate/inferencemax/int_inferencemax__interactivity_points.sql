-- Valid interactivity points of every snapshot, x/y renamed interactivity_x / interactivity_y
-- (x = median interactivity, tok/s/user).

{{ semibench.inferencemax_points_of_type('interactivity') }}
