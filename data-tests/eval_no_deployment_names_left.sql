-- No mart model name may still be a numbered deployment of a known model (normalisation missed it).
select distinct f.model_name
from {{ ref('fct_tool_eval_events') }} as f
inner join {{ ref('model_name_aliases') }} as a
    on lower(regexp_extract(f.model_name, '^(.+)-[0-9]{1,2}$', 1)) = lower(a.alias)
