{#
  The capacity and cost planner: ONE SQL definition, rendered by dbt for mart_planning__plan (the saved
  scenarios) and by `semibench plan` (semibench/plan/sql.py renders this file and
  macros/frontier_interpolation.sql with plain jinja2, then runs it on the published warehouse). So this file
  may only use plain Jinja, the semibench.frontier_* macros and DuckDB SQL: no ref(), no dbt.* helpers.

  planner_plan(points, scenarios, constants, gpus_per_node, own_runs, own_requests): one row per scenario x
  config (InferenceX's 17-field config: fixed parallelism, its points are its concurrencies) and per
  scenario x own endpoint (a loadgen sweep of the same model and ISL/OSL).

  Per config: the points meeting the latency SLOs (p99 TTFT, p99 E2EL; a point without the figure cannot
  show it meets one and is left out), their Pareto frontier (interactivity vs total tok/s/GPU), and the
  frontier read at the minimum interactivity with frontier_hits: linear between adjacent points, the
  highest-throughput point when the SLO is looser than every point, never extrapolated (null =
  'slo_not_reachable'). Output tok/s/GPU and measured power are interpolated with the same weight.
  Own endpoints: the best run of the sweep by measured goodput (requests meeting every SLO, per request).

  Demand is in OUTPUT tokens/s (requests/s x OSL, or output tokens/day / 86400); GPUs =
  ceil(demand / (output tok/s/GPU x GPUs per replica)) x GPUs per replica (prefill + decode GPUs when
  disaggregated); nodes from the GPU's GPUs per node. Prices and all-in kW: the constants in effect at the
  scenario's prices_as_of (default today); $/M output tokens = fleet $/hour / (demand output tokens per hour
  / 1e6); J/token = fleet all-in kW x 1000 / demand tokens/s. Ranked per scenario by the $/hour of the
  scenario's rank_tier, then fewer GPUs, then higher output tok/s/GPU; equal rows share a rank. Nodes: a
  disaggregated replica's prefill and decode GPUs fill nodes apart.
#}

{% macro planner_plan(points, scenarios, constants, gpus_per_node, own_runs, own_requests) -%}
{#- the site's three cost models: hyperscaler-owned, neocloud-owned, 3-year rental -#}
{%- set tiers = ['hyperscaler', 'neocloud', 'rental'] -%}
{%- set group = ['scenario_id', 'config_key'] -%}
with scenarios as (

    select
        *,
        -- demand in output tokens/s (what the fleet must generate) and in total tokens/s
        coalesce(demand_rps * osl, demand_output_tokens_per_day / 86400.0) as demand_output_tokens_per_s,
        coalesce(demand_rps * (isl + osl), demand_output_tokens_per_day / 86400.0 * (isl + osl) / osl)
            as demand_total_tokens_per_s,
        coalesce(prices_as_of, current_date) as prices_in_effect_on
    from {{ scenarios }}

),

candidates as (

    select
        scenarios.scenario_id,
        points.*,
        coalesce((scenarios.max_ttft_p99_s is null or points.p99_ttft_s <= scenarios.max_ttft_p99_s)
            and (scenarios.max_e2el_p99_s is null or points.p99_e2el_s <= scenarios.max_e2el_p99_s), false)
            as meets_latency_slos
    from {{ points }} as points
    inner join scenarios
        on (lower(points.model) = lower(scenarios.model) or lower(points.model_display_name) = lower(scenarios.model))
        and points.isl = scenarios.isl
        and points.osl = scenarios.osl

),

configs as (

    select
        scenario_id,
        config_key,
        max(config_label) as config_label,
        max(series_label) as series_label,
        max(model) as model_key,
        max(vendor) as vendor,
        max(hardware) as hardware,
        max(framework) as framework,
        max(precision) as precision,
        max(spec_method) as spec_method,
        bool_or(disagg) as disagg,
        bool_or(is_multinode) as is_multinode,
        max(num_gpus) as gpus_per_replica,
        max(num_prefill_gpu) as num_prefill_gpu,
        max(num_decode_gpu) as num_decode_gpu,
        bool_and(is_official) as is_official,
        max(result_date) as latest_result_date,
        max(eval_task) as eval_task,
        max(eval_score) as eval_score,
        count(*) as point_count,
        count(case when meets_latency_slos then 1 end) as points_meeting_latency_slos,
        max(interactivity_x) as max_interactivity_measured,
        max(case when meets_latency_slos then interactivity_x end) as max_interactivity_meeting_latency
    from candidates
    group by scenario_id, config_key

),

feasible as (

    select * from candidates where meets_latency_slos

),

x_levels as (

    select scenario_id, config_key, interactivity_x, max(interactivity_y) as max_y_at_x
    from feasible
    group by scenario_id, config_key, interactivity_x

),

x_levels_with_right_max as (

    select
        *,
        max(max_y_at_x) over (
            partition by scenario_id, config_key order by interactivity_x desc
            rows between unbounded preceding and 1 preceding
        ) as max_y_at_greater_x
    from x_levels

),

frontier as (

    -- Pareto frontier of the SLO-meeting points: no other point is >= on both axes and > on one
    select feasible.*
    from feasible
    inner join x_levels_with_right_max as levels
        on feasible.scenario_id = levels.scenario_id
        and feasible.config_key = levels.config_key
        and feasible.interactivity_x = levels.interactivity_x
    where not coalesce(levels.max_y_at_greater_x >= feasible.interactivity_y, false)
        and not (levels.max_y_at_x > feasible.interactivity_y)

),

segments as (

    {{ semibench.frontier_segments('frontier', group, carry_columns=['output_tput_per_gpu', 'avg_power_w']) }}

),

targets as (

    -- no minimum interactivity = any: 0 is below every frontier, so the highest-throughput point answers
    select scenario_id, coalesce(min_interactivity, 0.0) as interactivity_target from scenarios

),

hits as (

    {{ semibench.frontier_hits('segments', 'targets', 'interactivity_target', group, shared_columns=['scenario_id'],
                               carry_columns=['output_tput_per_gpu', 'avg_power_w']) }}

),

config_rows as (

    select
        configs.scenario_id,
        'inferencex' as row_kind,
        configs.config_key as plan_key,
        configs.config_label,
        configs.series_label,
        configs.vendor,
        configs.hardware,
        configs.hardware as gpu_key,
        configs.framework,
        configs.precision,
        configs.spec_method,
        configs.disagg,
        configs.is_multinode,
        configs.gpus_per_replica,
        configs.num_prefill_gpu,
        configs.num_decode_gpu,
        configs.is_official,
        false as is_simulated,
        configs.latest_result_date as measured_on,
        configs.point_count,
        configs.eval_task,
        configs.eval_score,
        case
            when scenarios.min_eval_score is not null and configs.eval_score < scenarios.min_eval_score
                then 'eval_below_minimum'
            when hits.tput_per_gpu is null then 'slo_not_reachable'
            when hits.is_below_frontier then 'slo_looser_than_measured'
            when hits.lower_x = hits.interactivity_target then 'exact'
            else 'interpolated'
        end as status,
        case
            when scenarios.min_eval_score is not null and configs.eval_score < scenarios.min_eval_score
                then concat(configs.eval_task, ' score ', cast(round(configs.eval_score, 4) as varchar),
                            ' < minimum ', cast(scenarios.min_eval_score as varchar))
            when configs.points_meeting_latency_slos = 0
                then concat('SLO not reachable: none of ', cast(configs.point_count as varchar),
                            ' points meets the p99 latency limits')
            when hits.tput_per_gpu is null
                then concat('SLO not reachable: highest measured interactivity meeting the latency limits is ',
                            cast(round(configs.max_interactivity_meeting_latency, 1) as varchar), ' tok/s/user')
            when hits.is_below_frontier
                then concat('SLO looser than any measured point: the highest-throughput point (',
                            cast(round(hits.lower_x, 1) as varchar), ' tok/s/user) answers')
            when scenarios.min_eval_score is not null and configs.eval_score is null
                then 'no eval for this config: the eval minimum is not applied'
        end as status_note,
        'linear' as method,
        hits.lower_x as lower_point_interactivity,
        hits.upper_x as upper_point_interactivity,
        hits.tput_per_gpu as total_tput_per_gpu_at_slo,
        hits.output_tput_per_gpu as output_tput_per_gpu_at_slo,
        hits.avg_power_w as measured_avg_power_w_at_slo,
        hits.next_x as next_point_interactivity,
        hits.next_y as next_point_total_tput_per_gpu,
        cast(null as double) as slo_attainment
    from configs
    inner join scenarios
        on configs.scenario_id = scenarios.scenario_id
    left join hits
        on configs.scenario_id = hits.scenario_id
        and configs.config_key = hits.config_key
        and hits.segment_preference = 1

),

own_requests as (

    select
        scenarios.scenario_id,
        runs.*,
        coalesce(scenarios.own_num_gpus, runs.num_gpus) as gpus,
        requests.is_success,
        requests.input_tokens,
        requests.output_tokens,
        requests.is_success
            and (scenarios.min_interactivity is null or requests.interactivity >= scenarios.min_interactivity)
            and (scenarios.max_ttft_p99_s is null or requests.ttft_ms <= scenarios.max_ttft_p99_s * 1000)
            and (scenarios.max_e2el_p99_s is null or requests.e2el_ms <= scenarios.max_e2el_p99_s * 1000)
            as meets_slos
    from {{ own_runs }} as runs
    inner join scenarios
        on (lower(runs.model_key) = lower(scenarios.model) or lower(runs.model_display_name) = lower(scenarios.model))
        and runs.isl = scenarios.isl
        and runs.osl = scenarios.osl
    inner join {{ own_requests }} as requests
        on runs.run_id = requests.run_id
        and requests.is_main_phase

),

own_goodput as (

    -- goodput as vLLM defines it: requests meeting every SLO, judged per request, per second of the run
    select
        scenario_id,
        endpoint_key,
        run_id,
        max(endpoint_label) as endpoint_label,
        max(gpu_key) as gpu_key,
        max(gpus) as gpus,
        bool_or(is_simulated) as is_simulated,
        max(started_at) as started_at,
        count(*) as requests,
        avg(case when meets_slos then 1.0 else 0.0 end) as slo_attainment,
        sum(case when meets_slos then output_tokens else 0 end) / max(duration_s) as goodput_output_tokens_per_s,
        sum(case when meets_slos then input_tokens + output_tokens else 0 end) / max(duration_s)
            as goodput_total_tokens_per_s
    from own_requests
    where duration_s > 0
    group by scenario_id, endpoint_key, run_id

),

own_best as (

    select
        *,
        count(*) over (partition by scenario_id, endpoint_key) as sweep_runs,
        row_number() over (partition by scenario_id, endpoint_key
                           order by goodput_output_tokens_per_s desc, run_id) as sweep_order
    from own_goodput

),

own_rows as (

    select
        scenario_id,
        'own_endpoint' as row_kind,
        endpoint_key as plan_key,
        concat(endpoint_label, ' (best of ', cast(sweep_runs as varchar), ' run', case when sweep_runs > 1 then 's' else '' end,
               ': ', run_id, ')') as config_label,
        endpoint_label as series_label,
        cast(null as varchar) as vendor,
        gpu_key as hardware,
        gpu_key,
        cast(null as varchar) as framework,
        cast(null as varchar) as precision,
        cast(null as varchar) as spec_method,
        false as disagg,
        false as is_multinode,
        gpus as gpus_per_replica,
        cast(null as integer) as num_prefill_gpu,
        cast(null as integer) as num_decode_gpu,
        false as is_official,
        is_simulated,
        cast(started_at as date) as measured_on,
        requests as point_count,
        cast(null as varchar) as eval_task,
        cast(null as double) as eval_score,
        case when goodput_output_tokens_per_s > 0 then 'measured_goodput' else 'slo_not_reachable' end as status,
        case
            when not goodput_output_tokens_per_s > 0 then 'SLO not reachable: no request of the sweep met every SLO'
            when gpus is null then 'no GPU count (pass --num-gpus): sized in replicas of the endpoint'
        end as status_note,
        'measured goodput' as method,
        cast(null as double) as lower_point_interactivity,
        cast(null as double) as upper_point_interactivity,
        case when goodput_output_tokens_per_s > 0 then goodput_total_tokens_per_s / gpus end as total_tput_per_gpu_at_slo,
        case when goodput_output_tokens_per_s > 0 then goodput_output_tokens_per_s / gpus end as output_tput_per_gpu_at_slo,
        cast(null as double) as measured_avg_power_w_at_slo,
        cast(null as double) as next_point_interactivity,
        cast(null as double) as next_point_total_tput_per_gpu,
        slo_attainment
    from own_best
    where sweep_order = 1

),

plan_rows as (

    select * from config_rows
    union all
    select * from own_rows

),

prices as (

    -- the constant in effect on the scenario's date; the newest effective_from wins
    select
        scenarios.scenario_id,
        constants.gpu_key,
        {%- for tier in tiers %}
        arg_max(case when constants.constant = 'usd_per_gpu_hour_{{ tier }}' then constants.value end,
                case when constants.constant = 'usd_per_gpu_hour_{{ tier }}' then constants.effective_from end)
            as usd_per_gpu_hour_{{ tier }},
        {%- endfor %}
        arg_max(case when constants.constant = 'all_in_kw' then constants.value end,
                case when constants.constant = 'all_in_kw' then constants.effective_from end) as all_in_kw_per_gpu,
        -- date and source of the price the scenario ranks by (its rank_tier)
        max(case when constants.constant = concat('usd_per_gpu_hour_', scenarios.rank_tier)
            then constants.effective_from end) as price_effective_from,
        arg_max(case when constants.constant = concat('usd_per_gpu_hour_', scenarios.rank_tier) then constants.source end,
                case when constants.constant = concat('usd_per_gpu_hour_', scenarios.rank_tier)
                    then constants.effective_from end) as price_source,
        arg_max(case when constants.constant = 'all_in_kw' then constants.source end,
                case when constants.constant = 'all_in_kw' then constants.effective_from end) as power_source
    from scenarios
    inner join {{ constants }} as constants
        on constants.value is not null
        and constants.effective_from is not null
        and constants.effective_from <= scenarios.prices_in_effect_on
        and (constants.effective_to is null or scenarios.prices_in_effect_on < constants.effective_to)
    group by scenarios.scenario_id, constants.gpu_key

),

sized as (

    select
        plan_rows.*,
        scenarios.model as scenario_model,
        scenarios.isl,
        scenarios.osl,
        scenarios.min_interactivity,
        scenarios.max_ttft_p99_s,
        scenarios.max_e2el_p99_s,
        scenarios.min_eval_score,
        scenarios.demand_rps,
        scenarios.demand_output_tokens_per_s,
        scenarios.demand_total_tokens_per_s,
        scenarios.rank_tier,
        scenarios.prices_in_effect_on,
        node.gpus_per_node,
        -- the epsilon keeps a demand that divides exactly from rounding up by float noise
        cast(ceil(scenarios.demand_output_tokens_per_s
                  / (plan_rows.output_tput_per_gpu_at_slo * plan_rows.gpus_per_replica) - 1e-9) as bigint) as replicas,
        -- prefill and decode workers of a disaggregated replica run on nodes of their own
        cast(case
            when plan_rows.disagg and plan_rows.num_prefill_gpu > 0 and plan_rows.num_decode_gpu > 0
                then ceil(plan_rows.num_prefill_gpu / node.gpus_per_node - 1e-9)
                    + ceil(plan_rows.num_decode_gpu / node.gpus_per_node - 1e-9)
            else ceil(plan_rows.gpus_per_replica / node.gpus_per_node - 1e-9)
        end as bigint) as nodes_per_replica,
        prices.all_in_kw_per_gpu,
        {%- for tier in tiers %}
        prices.usd_per_gpu_hour_{{ tier }},
        {%- endfor %}
        prices.price_effective_from,
        prices.price_source,
        prices.power_source
    from plan_rows
    inner join scenarios
        on plan_rows.scenario_id = scenarios.scenario_id
    left join {{ gpus_per_node }} as node
        on plan_rows.gpu_key = node.gpu_key
    left join prices
        on plan_rows.scenario_id = prices.scenario_id
        and plan_rows.gpu_key = prices.gpu_key

),

costed as (

    select
        *,
        replicas * gpus_per_replica as gpus_needed,
        replicas * nodes_per_replica as nodes_needed,
        replicas * gpus_per_replica * output_tput_per_gpu_at_slo / demand_output_tokens_per_s - 1 as capacity_headroom,
        next_point_interactivity - greatest(coalesce(min_interactivity, 0.0), lower_point_interactivity)
            as interactivity_headroom,
        {%- for tier in tiers %}
        replicas * gpus_per_replica * usd_per_gpu_hour_{{ tier }} as usd_per_hour_{{ tier }},
        replicas * gpus_per_replica * usd_per_gpu_hour_{{ tier }} / (demand_output_tokens_per_s * 3600 / 1e6)
            as usd_per_m_output_tokens_{{ tier }},
        usd_per_gpu_hour_{{ tier }} / (output_tput_per_gpu_at_slo * 3600 / 1e6)
            as usd_per_m_output_tokens_at_capacity_{{ tier }},
        {%- endfor %}
        replicas * gpus_per_replica * all_in_kw_per_gpu as fleet_kw,
        replicas * gpus_per_replica * all_in_kw_per_gpu * 1000 / demand_output_tokens_per_s as joules_per_output_token,
        replicas * gpus_per_replica * all_in_kw_per_gpu * 1000 / demand_total_tokens_per_s as joules_per_total_token,
        measured_avg_power_w_at_slo / output_tput_per_gpu_at_slo as measured_joules_per_output_token,
        status in ('interpolated', 'exact', 'slo_looser_than_measured', 'measured_goodput')
            and output_tput_per_gpu_at_slo > 0 and gpus_per_replica > 0 as is_ranked
    from sized

),

ranking as (

    select
        *,
        case rank_tier
            {%- for tier in tiers %}
            when '{{ tier }}' then usd_per_hour_{{ tier }}
            {%- endfor %}
        end as rank_usd_per_hour
    from costed

),

ranked as (

    select
        *,
        cast(rank() over (
            partition by scenario_id, is_ranked
            order by rank_usd_per_hour is null, rank_usd_per_hour, gpus_needed, output_tput_per_gpu_at_slo desc
        ) as bigint) as rank_in_group,
        count(*) over (partition by scenario_id, is_ranked, rank_usd_per_hour, gpus_needed, output_tput_per_gpu_at_slo)
            - 1 as tied_rows,
        count(*) over (partition by scenario_id, is_ranked, rank_usd_per_hour) - 1 as same_cost_rows
    from ranking

)

select
    scenario_id,
    scenario_model,
    isl,
    osl,
    min_interactivity,
    max_ttft_p99_s,
    max_e2el_p99_s,
    min_eval_score,
    demand_rps,
    demand_output_tokens_per_s,
    demand_total_tokens_per_s,
    rank_tier,
    case when is_ranked then rank_in_group end as plan_rank,
    case
        when not is_ranked then 'not ranked: ' || coalesce(status_note, status)
        when rank_usd_per_hour is null then concat('no ', rank_tier, ' price for ', coalesce(gpu_key, 'unknown hardware'),
                                                   ': ranked after priced rows, by GPUs needed')
        when tied_rows > 0 then concat('tie: ', cast(tied_rows as varchar),
                                       ' other(s) with equal $/h, GPUs and output tok/s/GPU')
        when same_cost_rows > 0 then concat('same $/h as ', cast(same_cost_rows as varchar),
                                            ' other(s): fewer GPUs, then more output tok/s/GPU first')
    end as rank_note,
    row_kind,
    plan_key,
    config_label,
    series_label,
    vendor,
    hardware,
    gpu_key,
    framework,
    precision,
    spec_method,
    disagg,
    is_multinode,
    is_official,
    is_simulated,
    measured_on,
    point_count,
    status,
    status_note,
    method,
    lower_point_interactivity,
    upper_point_interactivity,
    total_tput_per_gpu_at_slo,
    output_tput_per_gpu_at_slo,
    slo_attainment,
    gpus_per_replica,
    num_prefill_gpu,
    num_decode_gpu,
    gpus_per_node,
    replicas,
    gpus_needed,
    nodes_per_replica,
    nodes_needed,
    capacity_headroom,
    next_point_interactivity,
    next_point_total_tput_per_gpu,
    interactivity_headroom,
    {%- for tier in tiers %}
    usd_per_gpu_hour_{{ tier }},
    {%- endfor %}
    {%- for tier in tiers %}
    usd_per_hour_{{ tier }},
    {%- endfor %}
    {%- for tier in tiers %}
    usd_per_m_output_tokens_{{ tier }},
    {%- endfor %}
    {%- for tier in tiers %}
    usd_per_m_output_tokens_at_capacity_{{ tier }},
    {%- endfor %}
    price_effective_from,
    price_source,
    all_in_kw_per_gpu,
    fleet_kw,
    joules_per_output_token,
    joules_per_total_token,
    measured_avg_power_w_at_slo,
    measured_joules_per_output_token,
    power_source,
    eval_task,
    eval_score,
    prices_in_effect_on
from ranked
{%- endmacro %}
