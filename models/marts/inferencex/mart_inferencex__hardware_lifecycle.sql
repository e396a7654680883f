{#
  First and last date each model x hardware x framework appears with a successful result, over every
  source of fct_inferencemax_results (dashboard snapshots, API history, run artifacts). stopped_appearing:
  its last date is before the model's newest result date, i.e. a hardware or engine that the latest data
  no longer has (warn test inferencex_no_hardware_stopped_appearing). Irregular runs make this a hint to
  look, not an error.
#}

with seen as (

    select
        model,
        hardware,
        framework,
        min(result_date) as first_seen_date,
        max(result_date) as last_seen_date,
        count(distinct result_date) as result_dates,
        count(*) as results,
        {{ dbt.bool_or("source_family = 'api'") }} as seen_in_api,
        {{ dbt.bool_or("source_family = 'dashboard'") }} as seen_in_dashboard
    from {{ ref('fct_inferencemax_results') }}
    where config_key is not null and is_success and result_date is not null
    group by model, hardware, framework

),

model_span as (

    select model, max(last_seen_date) as model_last_date
    from seen
    group by model

)

select
    seen.*,
    model_span.model_last_date,
    seen.last_seen_date < model_span.model_last_date as stopped_appearing,
    {{ dbt.datediff('seen.last_seen_date', 'model_span.model_last_date', 'day') }} as days_missing
from seen
inner join model_span
    on seen.model = model_span.model
