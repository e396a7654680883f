-- A model x hardware x framework whose last result is older than the model's newest result: a hardware or
-- engine the latest data no longer has (warn; irregular runs make it a hint to look, not an error).
{{ config(severity = 'warn', tags = ['inferencex_marts'], enabled = semibench.inferencex_models_enabled()) }}

select model, hardware, framework, first_seen_date, last_seen_date, model_last_date, days_missing
from {{ ref('mart_inferencex__hardware_lifecycle') }}
where stopped_appearing
