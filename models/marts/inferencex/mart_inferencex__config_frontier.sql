{#
  Pareto frontier of throughput per GPU vs interactivity (median tok/s/user), both higher-better, over the
  latest results (mart_inferencemax__latest_results) of every config of a series: model x isl x osl x
  precision x hardware x framework x spec_method x disagg (the site's hwKey + precision). The points are
  the configs' (conc, parallelism) results; a point is on the frontier iff no other point of its series is
  >= on both axes and > on one (identical points both stay), computed as int_inferencemax__pareto_frontier
  does (linear time, no self-join). Vendor, GPU count and the config of each point are carried along.
#}

with points as (

    select
        result_key as point_key,
        config_key,
        model,
        model_display_name,
        vendor,
        hardware,
        framework,
        precision,
        spec_method,
        disagg,
        is_multinode,
        num_gpus,
        isl,
        osl,
        conc,
        result_date,
        source_family,
        median_intvty as interactivity_x,
        tput_per_gpu as interactivity_y
    from {{ ref('mart_inferencemax__latest_results') }}
    where median_intvty is not null
        and tput_per_gpu is not null

),

x_levels as (

    select
        model, isl, osl, precision, hardware, framework, spec_method, disagg,
        interactivity_x,
        max(interactivity_y) as max_y_at_x
    from points
    group by model, isl, osl, precision, hardware, framework, spec_method, disagg, interactivity_x

),

x_levels_with_right_max as (

    select
        *,
        max(max_y_at_x) over (
            partition by model, isl, osl, precision, hardware, framework, spec_method, disagg
            order by interactivity_x desc
            rows between unbounded preceding and 1 preceding
        ) as max_y_at_greater_x
    from x_levels

),

flagged as (

    select
        points.*,
        case
            when levels.max_y_at_greater_x >= points.interactivity_y then false
            when levels.max_y_at_x > points.interactivity_y then false
            else true
        end as is_on_frontier
    from points
    inner join x_levels_with_right_max as levels
        on points.model = levels.model
        and points.isl = levels.isl
        and points.osl = levels.osl
        and points.precision = levels.precision
        and points.hardware = levels.hardware
        and points.framework = levels.framework
        and points.spec_method = levels.spec_method
        and points.disagg = levels.disagg
        and points.interactivity_x = levels.interactivity_x

)

select
    {{ dbt.hash(dbt.concat(['model', "'|'", dbt.cast('isl', dbt.type_string()), "'|'", dbt.cast('osl', dbt.type_string()),
        "'|'", 'precision', "'|'", 'hardware', "'|'", 'framework', "'|'", 'spec_method', "'|'",
        dbt.cast('disagg', dbt.type_string())])) }} as series_key,
    concat(hardware, '_', framework, case when spec_method <> 'none' then concat('_', spec_method) else '' end,
           case when disagg then '_disagg' else '' end) as series_label,
    point_key,
    config_key,
    model,
    model_display_name,
    vendor,
    hardware,
    framework,
    precision,
    spec_method,
    disagg,
    is_multinode,
    num_gpus,
    isl,
    osl,
    conc,
    result_date,
    source_family,
    interactivity_x,
    interactivity_y,
    cast(row_number() over (
        partition by model, isl, osl, precision, hardware, framework, spec_method, disagg
        order by interactivity_x, interactivity_y desc, point_key
    ) as bigint) as frontier_rank,
    count(*) over (partition by model, isl, osl, precision, hardware, framework, spec_method, disagg)
        as frontier_point_count
from flagged
where is_on_frontier
