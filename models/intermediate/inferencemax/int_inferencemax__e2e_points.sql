-- Valid e2e points of every snapshot, x/y renamed e2e_x / e2e_y (x = median end-to-end latency, s).

{{ semibench.inferencemax_points_of_type('e2e') }}
