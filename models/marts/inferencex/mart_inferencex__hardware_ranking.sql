{#
  Hardware ranking: per model x isl x osl x precision x target interactivity, the frontier series (hardware
  x framework x spec_method x disagg) ranked by throughput per GPU at that target (LINEAR interpolation,
  mart_inferencex__tput_at_interactivity; the site's Steffen spline gives other numbers). Series whose
  frontier does not reach the target are left out of the ranking. rank 1 = best; ratio_to_best compares
  with it.
#}

with at_target as (

    select * from {{ ref('mart_inferencex__tput_at_interactivity') }}
    where tput_per_gpu is not null

)

select
    at_target.*,
    cast(rank() over (
        partition by model, isl, osl, precision, interactivity_target order by tput_per_gpu desc
    ) as bigint) as hardware_rank,
    count(*) over (partition by model, isl, osl, precision, interactivity_target) as ranked_series,
    tput_per_gpu / max(tput_per_gpu) over (partition by model, isl, osl, precision, interactivity_target)
        as ratio_to_best
from at_target
