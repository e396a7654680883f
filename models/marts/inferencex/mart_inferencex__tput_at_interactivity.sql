{#
  Throughput per GPU at target interactivities (var `inferencex_interactivity_targets`, default the site's
  tiers 30/50/75/100 tok/s/user) per frontier series of mart_inferencex__config_frontier.
  METHOD: LINEAR interpolation between the two adjacent frontier points (macro frontier_hits, shared with
  the legacy rollups and the runs placement). The site uses a Steffen monotone cubic spline at the same
  tiers, so its figures differ between points; every row says `interpolation_method = 'linear'`. A target is
  a floor: below the series' lowest interactivity the frontier's highest-throughput point answers
  (interpolation_status 'slo_looser_than_measured'); above its highest it is null ('slo_not_reachable',
  never an extrapolation); one row per series and target, the null ones included.
#}

{%- set targets = var('inferencex_interactivity_targets', [30, 50, 75, 100]) -%}
{%- set group = ['series_key'] -%}

with frontier as (

    select * from {{ ref('mart_inferencex__config_frontier') }}

),

targets as (

    {%- for target in targets %}
    select {{ dbt.cast(target, semibench.type_double()) }} as interactivity_target
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

series as (

    select
        series_key,
        max(series_label) as series_label,
        max(model) as model,
        max(model_display_name) as model_display_name,
        max(vendor) as vendor,
        max(hardware) as hardware,
        max(framework) as framework,
        max(precision) as precision,
        max(spec_method) as spec_method,
        {{ dbt.bool_or('disagg') }} as disagg,
        max(isl) as isl,
        max(osl) as osl,
        min(interactivity_x) as frontier_min_interactivity,
        max(interactivity_x) as frontier_max_interactivity,
        max(result_date) as latest_result_date
    from frontier
    group by series_key

),

segments as (

    {{ semibench.frontier_segments('frontier', group) }}

),

hits as (

    {{ semibench.frontier_hits('segments', 'targets', 'interactivity_target', group) }}

)

select
    series.*,
    targets.interactivity_target,
    hits.tput_per_gpu,
    'linear' as interpolation_method,
    hits.lower_x as lower_interactivity_x,
    hits.lower_y as lower_tput_per_gpu,
    hits.upper_x as upper_interactivity_x,
    hits.upper_y as upper_tput_per_gpu,
    coalesce(hits.lower_x = targets.interactivity_target, false) as is_exact_hit,
    {{ semibench.interpolation_status('hits.tput_per_gpu', 'hits.is_below_frontier',
                                      'hits.lower_x = targets.interactivity_target') }} as interpolation_status
from series
cross join targets
left join hits
    on series.series_key = hits.series_key
    and targets.interactivity_target = hits.interactivity_target
    and hits.segment_preference = 1
