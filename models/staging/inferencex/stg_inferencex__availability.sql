-- Valid availability rows, one per distinct (model, isl, osl, precision, hardware, framework, spec_method,
-- disagg, date) seen in any capture.
select distinct
    model, isl, osl, precision, hardware, framework, spec_method, disagg, available_date
from {{ ref('base_inferencex__availability') }}
where invalid_reason is null
