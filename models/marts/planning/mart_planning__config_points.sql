{#
  The planner's input: every latest InferenceX result (mart_inferencemax__latest_results) of a mapped config,
  with what sizing needs: the config's GPUs per replica (prefill + decode when disaggregated), a readable
  config label, the point's interactivity and total/output tok/s per GPU, p99 TTFT/E2EL (s), measured power
  where valid, and the config's newest eval score. `semibench plan` reads this table from the published
  warehouse and runs macros/planner.sql over it, as mart_planning__plan does for the saved scenarios.
  Output tok/s per GPU: the measured figure, else total x OSL / (ISL + OSL) (output_tput_basis says which;
  the October-2025 dashboard points carry only the total).
#}

with results as (

    select * from {{ ref('mart_inferencemax__latest_results') }}
    where config_key is not null
        and median_intvty > 0
        and tput_per_gpu > 0

),

configs as (

    select * from {{ ref('dim_inferencemax_configs') }}

),

evals as (

    -- newest eval of the config, preferring one run at the same ISL/OSL
    select
        config_key,
        task,
        isl,
        osl,
        score,
        eval_date
    from {{ ref('mart_inferencex__accuracy_vs_throughput') }}
    where task = '{{ var("planner_eval_task", "gsm8k") }}'

),

evals_ranked as (

    select
        results.result_key,
        evals.task,
        evals.score,
        row_number() over (
            partition by results.result_key
            order by (evals.isl = results.isl and evals.osl = results.osl) desc nulls last, evals.eval_date desc, evals.score
        ) as eval_order
    from results
    inner join evals
        on results.config_key = evals.config_key

)

select
    results.result_key as point_key,
    results.config_key,
    concat(results.hardware, '_', results.framework,
           case when results.spec_method <> 'none' then concat('_', results.spec_method) else '' end,
           case when results.disagg then '_disagg' else '' end) as series_label,
    concat_ws(' ',
        concat(results.hardware, '_', results.framework,
               case when results.spec_method <> 'none' then concat('_', results.spec_method) else '' end),
        results.precision,
        case
            -- prefill and decode workers with their TP: two disagg configs of one GPU count stay apart
            when results.disagg then concat('disagg P ', coalesce(cast(configs.prefill_num_workers as varchar), '?'),
                                            'x tp', coalesce(cast(configs.prefill_tp as varchar), '?'),
                                            ' + D ', coalesce(cast(configs.decode_num_workers as varchar), '?'),
                                            'x tp', coalesce(cast(configs.decode_tp as varchar), '?'),
                                            case when configs.decode_ep > 1 then concat(' ep', cast(configs.decode_ep as varchar)) else '' end,
                                            case when configs.decode_dp_attention then ' dpa' else '' end,
                                            ' = ', cast(results.num_gpus as varchar), ' GPUs')
            else concat('tp', cast(configs.decode_tp as varchar))
        end,
        case when not results.disagg and configs.decode_ep > 1 then concat('ep', cast(configs.decode_ep as varchar)) end,
        case when not results.disagg and configs.decode_dp_attention then 'dpa' end,
        case when results.is_multinode then 'multinode' end
    ) as config_label,
    results.model,
    results.model_display_name,
    results.isl,
    results.osl,
    results.vendor,
    results.hardware,
    results.framework,
    results.precision,
    results.spec_method,
    results.disagg,
    results.is_multinode,
    results.num_gpus,
    configs.num_prefill_gpu,
    configs.num_decode_gpu,
    results.conc,
    results.result_date,
    results.source_family,
    results.is_official,
    results.median_intvty as interactivity_x,
    results.tput_per_gpu as interactivity_y,
    coalesce(results.output_tput_per_gpu, results.tput_per_gpu * results.osl / (results.isl + results.osl))
        as output_tput_per_gpu,
    case when results.output_tput_per_gpu is not null then 'measured' else 'total x osl / (isl + osl)' end
        as output_tput_basis,
    results.p99_ttft_s,
    results.p99_e2el_s,
    case when results.is_power_valid then results.avg_power_w end as avg_power_w,
    evals_ranked.task as eval_task,
    evals_ranked.score as eval_score
from results
inner join configs
    on results.config_key = configs.config_key
left join evals_ranked
    on results.result_key = evals_ranked.result_key
    and evals_ranked.eval_order = 1
