{#
  What exists on which date: one row per (model, isl, osl, precision, hardware, framework, spec_method,
  disagg) x date from the availability route, with the combination's first and last date, the number of
  dates, whether this date is its first, and whether fct_inferencemax_results holds a successful result of
  that combination on that date (availability without results points at a gap in the captures).
#}

with availability as (

    select * from {{ ref('stg_inferencex__availability') }}

),

result_days as (

    select distinct model, isl, osl, precision, hardware, framework, spec_method, disagg, result_date
    from {{ ref('fct_inferencemax_results') }}
    where config_key is not null and is_success

)

select
    availability.model,
    availability.isl,
    availability.osl,
    availability.precision,
    availability.hardware,
    availability.framework,
    availability.spec_method,
    availability.disagg,
    availability.available_date,
    min(availability.available_date) over (partition by availability.model, availability.isl, availability.osl,
        availability.precision, availability.hardware, availability.framework, availability.spec_method,
        availability.disagg) as first_available_date,
    max(availability.available_date) over (partition by availability.model, availability.isl, availability.osl,
        availability.precision, availability.hardware, availability.framework, availability.spec_method,
        availability.disagg) as last_available_date,
    count(*) over (partition by availability.model, availability.isl, availability.osl,
        availability.precision, availability.hardware, availability.framework, availability.spec_method,
        availability.disagg) as available_dates,
    result_days.result_date is not null as has_results
from availability
left join result_days
    on availability.model = result_days.model
    and availability.isl = result_days.isl
    and availability.osl = result_days.osl
    and availability.precision = result_days.precision
    and availability.hardware = result_days.hardware
    and availability.framework = result_days.framework
    and availability.spec_method = result_days.spec_method
    and availability.disagg = result_days.disagg
    and availability.available_date = result_days.result_date
