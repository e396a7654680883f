{#
  Reliability: successful runs out of attempted runs per hardware and date, and over the trailing 7 days
  (the date and the 6 before it). The API's reliability rows are per (hardware, date) already; a dump's are
  per workflow run and are summed per (hardware, date). Where both exist for a (hardware, date) the API's
  row is used (it is what the site shows). success_rate is null when nothing was attempted.
#}

with rows_by_source as (

    select
        hardware,
        stat_date,
        source_route,
        sum(n_success) as n_success,
        sum(total) as total
    from {{ ref('stg_inferencex__reliability') }}
    where hardware is not null and stat_date is not null
    group by hardware, stat_date, source_route

),

daily as (

    select hardware, stat_date, source_route, n_success, total
    from (
        select
            rows_by_source.*,
            row_number() over (
                partition by hardware, stat_date
                order by case when source_route = 'reliability' then 0 else 1 end, source_route
            ) as preference
        from rows_by_source
    ) as ranked
    where preference = 1

),

rolling as (

    select
        d.hardware,
        d.stat_date,
        sum(w.n_success) as n_success_7d,
        sum(w.total) as total_7d
    from daily as d
    inner join daily as w
        on d.hardware = w.hardware
        and w.stat_date <= d.stat_date
        and w.stat_date >= {{ dbt.dateadd('day', -6, 'd.stat_date') }}
    group by d.hardware, d.stat_date

)

select
    daily.hardware,
    gpus.vendor,
    daily.stat_date,
    daily.source_route,
    daily.n_success,
    daily.total,
    case when daily.total > 0 then {{ dbt.cast('daily.n_success', semibench.type_double()) }} / daily.total end
        as success_rate,
    rolling.n_success_7d,
    rolling.total_7d,
    case when rolling.total_7d > 0 then {{ dbt.cast('rolling.n_success_7d', semibench.type_double()) }} / rolling.total_7d end
        as success_rate_7d
from daily
inner join rolling
    on daily.hardware = rolling.hardware
    and daily.stat_date = rolling.stat_date
left join {{ ref('inferencex_gpus') }} as gpus
    on daily.hardware = gpus.gpu_key
