{#
  Accuracy next to throughput: per config x eval task, the config's newest evaluation (em_strict,
  em_flexible, their standard errors, n_eff; fractions, not percent) and, per isl x osl the config has
  latest results for, its best throughput per GPU (mart_inferencemax__latest_results) with the conc and
  interactivity of that result. "Fastest config that keeps em_strict >= X" is one query:
    select * from mart_inferencex__accuracy_vs_throughput
    where model = 'dsr1' and isl = 1024 and osl = 1024 and em_strict >= 0.9
    order by best_tput_per_gpu desc limit 1
  A config evaluated but without a latest result keeps its row with null throughput.
#}

with evals as (

    select
        evaluations.*,
        row_number() over (
            partition by config_key, task
            order by eval_date desc, n_eff desc, eval_id
        ) as recency
    from {{ ref('stg_inferencex__evaluations') }} as evaluations

),

best as (

    select
        config_key,
        isl,
        osl,
        tput_per_gpu,
        conc,
        median_intvty,
        result_date,
        row_number() over (partition by config_key, isl, osl order by tput_per_gpu desc, conc) as speed_rank
    from {{ ref('mart_inferencemax__latest_results') }}

)

select
    evals.config_key,
    evals.task,
    configs.model,
    configs.model_display_name,
    configs.vendor,
    configs.hardware,
    configs.framework,
    configs.precision,
    configs.spec_method,
    configs.disagg,
    configs.num_gpus,
    evals.eval_date,
    evals.conc as eval_conc,
    evals.em_strict,
    evals.em_strict_se,
    evals.em_flexible,
    evals.em_flexible_se,
    evals.n_eff,
    evals.score,
    best.isl,
    best.osl,
    best.tput_per_gpu as best_tput_per_gpu,
    best.conc as best_tput_conc,
    best.median_intvty as best_tput_median_intvty,
    best.result_date as best_tput_result_date
from evals
inner join {{ ref('dim_inferencemax_configs') }} as configs
    on evals.config_key = configs.config_key
left join best
    on evals.config_key = best.config_key
    and best.speed_rank = 1
where evals.recency = 1
