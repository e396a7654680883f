{#
  Every record any ingester landed but kept out of the marts, one shape for all families (issue 10):
  what it was, where it came from, every reason. A record here never fails a build; it warns (each
  family's quarantine model carries a warn-severity test) and shows in the report's data-quality section.
  Fix the source, or retire the batch (`semibench batches retire`), then re-ingest.
#}

{%- set families = ['stg_inferencemax__points_quarantine', 'stg_vllm__quarantine', 'stg_tool_eval__quarantine',
                    'stg_loadgen__quarantine'] -%}
{#- the InferenceX models are DuckDB-only for now (dbt_project.yml) -#}
{%- if target.type != 'spark' -%}{%- do families.append('stg_inferencex__quarantine') -%}{%- endif -%}

{%- for model in families %}
select
    cast(family as {{ dbt.type_string() }}) as family,
    cast(batch_id as {{ dbt.type_string() }}) as batch_id,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(record_locator as {{ dbt.type_string() }}) as record_locator,
    cast(reasons as {{ dbt.type_string() }}) as reasons,
    cast(record_json as {{ dbt.type_string() }}) as record_json,
    cast(landed_at as {{ dbt.type_timestamp() }}) as landed_at,
    '{{ model }}' as detail_model
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
