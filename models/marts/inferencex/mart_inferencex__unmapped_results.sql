{#
  Data quality: results that landed but could not be mapped onto an InferenceX config (a dashboard hwKey
  the legacy seed does not map for that model and date, an agg_bmk.json value the seeds do not know).
  They stay in fct_inferencemax_results with a null config_key; this lists them per source and problem.
  Warn test inferencex_unmapped_results_is_empty.
#}

select
    source_family,
    config_problems,
    count(*) as result_count,
    min(result_date) as first_result_date,
    max(result_date) as last_result_date
from {{ ref('fct_inferencemax_results') }}
where config_key is null
group by source_family, config_problems
