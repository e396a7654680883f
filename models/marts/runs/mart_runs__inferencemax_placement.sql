{#
  Each run whose model maps to an InferenceMAX model (model_slug) and whose ISL/OSL is an InferenceMAX
  sequence (1k = 1024, 8k = 8192 tokens), placed on the latest snapshot's curves of that model x
  sequence: one row per run x InferenceMAX hw_key. The run's point is (median_interactivity,
  total_token_throughput_per_gpu), InferenceMAX's interactivity chart axes; tput per GPU needs the run's
  declared num_gpus (else the ratio and the 2-D distance are null). Per hw_key: the frontier's throughput
  interpolated at the run's interactivity (macro frontier_hits, as int_inferencemax__tput_at_interactivity;
  null outside the frontier's range), the run's ratio to it, and the nearest InferenceMAX point in
  ln(interactivity) x ln(tput per GPU) space (by ln(interactivity) alone when the run has no tput per
  GPU). Per run: the best hardware frontier at the run's interactivity and the hw_key of the nearest point.
  The ix_* columns place the run on the CURRENT InferenceX curves (mart_inferencex__config_frontier: the
  latest result of every config, all sources): the best series (hardware x engine x spec x disagg) at the
  run's interactivity, linearly interpolated (the site uses a Steffen spline), and the run's ratio to it.
#}

{#- the columns of `ranked` the mart keeps, in order: placed's, then the ranking's -#}
{%- set ranked_columns = [
    'run_id', 'source', 'is_simulated', 'model', 'model_slug', 'sequence_slug', 'isl', 'osl', 'declared_isl',
    'declared_osl', 'isl_basis', 'osl_basis', 'snapshot_id', 'run_hw_key',
    'run_precision', 'num_gpus', 'started_at', 'run_interactivity', 'run_tput_per_gpu', 'run_median_ttft_ms',
    'run_p99_ttft_ms', 'run_median_tpot_ms', 'run_p99_tpot_ms', 'hw_key', 'frontier_point_count',
    'frontier_min_interactivity', 'frontier_max_interactivity', 'frontier_tput_per_gpu', 'ratio_to_frontier',
    'nearest_point_key', 'nearest_point_precision', 'nearest_point_tp', 'nearest_point_conc',
    'nearest_point_interactivity', 'nearest_point_tput_per_gpu', 'nearest_point_median_ttft_ms',
    'nearest_point_p99_ttft_ms', 'nearest_point_log_distance', 'frontier_rank_at_run_interactivity',
    'best_frontier_tput_per_gpu'
] -%}

with runs as (

    select
        fct.run_id,
        fct.source,
        -- a serve-sim run stays visible (the main job's demo is placed), flagged
        fct.is_simulated,
        fct.model,
        fct.model_slug,
        -- placed under the lengths the server counted (mart_runs__compared_sequence), not the asked-for ones
        compared.compared_isl as isl,
        compared.compared_osl as osl,
        fct.isl as declared_isl,
        fct.osl as declared_osl,
        compared.isl_basis,
        compared.osl_basis,
        fct.hw_key as run_hw_key,
        precision as run_precision,
        num_gpus,
        started_at,
        median_interactivity as run_interactivity,
        total_token_throughput_per_gpu as run_tput_per_gpu,
        median_ttft_ms as run_median_ttft_ms,
        p99_ttft_ms as run_p99_ttft_ms,
        median_tpot_ms as run_median_tpot_ms,
        p99_tpot_ms as run_p99_tpot_ms
    from {{ ref('fct_runs') }} as fct
    inner join {{ ref('mart_runs__compared_sequence') }} as compared
        on fct.run_id = compared.run_id
    where fct.model_slug is not null
        and fct.median_interactivity > 0

),

points as (

    -- the latest snapshot's points (fct_inferencemax_points holds only those)
    select * from {{ ref('fct_inferencemax_points') }}
    where interactivity_x > 0 and interactivity_y > 0

),

sequences as (

    select distinct snapshot_id, model_slug, sequence_slug, isl, osl from points

),

targets as (

    select
        runs.*,
        sequences.snapshot_id,
        sequences.sequence_slug
    from runs
    inner join sequences
        on runs.model_slug = sequences.model_slug
        and runs.isl = sequences.isl
        and runs.osl = sequences.osl

),

frontier as (

    select * from {{ ref('int_inferencemax__pareto_frontier') }}

),

frontier_ranges as (

    select
        model_slug,
        sequence_slug,
        hw_key,
        count(*) as frontier_point_count,
        min(interactivity_x) as frontier_min_interactivity,
        max(interactivity_x) as frontier_max_interactivity
    from frontier
    group by model_slug, sequence_slug, hw_key

),

segments as (

    {{ semibench.frontier_segments('frontier', ['model_slug', 'sequence_slug', 'hw_key']) }}

),

hits as (

    {{ semibench.frontier_hits('segments', 'targets', 'run_interactivity', ['model_slug', 'sequence_slug', 'hw_key'],
                               shared_columns=['model_slug', 'sequence_slug'], target_key_columns=['run_id']) }}

),

distances as (

    select
        targets.run_id,
        points.hw_key,
        points.point_key,
        points.precision,
        points.tp,
        points.conc,
        points.interactivity_x,
        points.interactivity_y,
        points.median_ttft,
        points.p99_ttft,
        case
            when targets.run_tput_per_gpu > 0 then sqrt(
                power(ln(targets.run_interactivity) - ln(points.interactivity_x), 2)
                + power(ln(targets.run_tput_per_gpu) - ln(points.interactivity_y), 2))
            else abs(ln(targets.run_interactivity) - ln(points.interactivity_x))
        end as log_distance
    from targets
    inner join points
        on targets.model_slug = points.model_slug
        and targets.sequence_slug = points.sequence_slug

),

nearest as (

    select
        *,
        row_number() over (partition by run_id, hw_key order by log_distance nulls last, point_key) as rank_in_hw
    from distances

),

placed as (

    select
        targets.run_id,
        targets.source,
        targets.is_simulated,
        targets.model,
        targets.model_slug,
        targets.sequence_slug,
        targets.isl,
        targets.osl,
        targets.declared_isl,
        targets.declared_osl,
        targets.isl_basis,
        targets.osl_basis,
        targets.snapshot_id,
        targets.run_hw_key,
        targets.run_precision,
        targets.num_gpus,
        targets.started_at,
        targets.run_interactivity,
        targets.run_tput_per_gpu,
        targets.run_median_ttft_ms,
        targets.run_p99_ttft_ms,
        targets.run_median_tpot_ms,
        targets.run_p99_tpot_ms,
        frontier_ranges.hw_key,
        frontier_ranges.frontier_point_count,
        frontier_ranges.frontier_min_interactivity,
        frontier_ranges.frontier_max_interactivity,
        hits.tput_per_gpu as frontier_tput_per_gpu,
        targets.run_tput_per_gpu / nullif(hits.tput_per_gpu, 0) as ratio_to_frontier,
        nearest.point_key as nearest_point_key,
        nearest.precision as nearest_point_precision,
        nearest.tp as nearest_point_tp,
        nearest.conc as nearest_point_conc,
        nearest.interactivity_x as nearest_point_interactivity,
        nearest.interactivity_y as nearest_point_tput_per_gpu,
        -- InferenceMAX latencies are in seconds; the run's are in ms
        nearest.median_ttft * 1000 as nearest_point_median_ttft_ms,
        nearest.p99_ttft * 1000 as nearest_point_p99_ttft_ms,
        nearest.log_distance as nearest_point_log_distance
    from targets
    inner join frontier_ranges
        on targets.model_slug = frontier_ranges.model_slug
        and targets.sequence_slug = frontier_ranges.sequence_slug
    left join hits
        on targets.run_id = hits.run_id
        and frontier_ranges.hw_key = hits.hw_key
        and hits.segment_preference = 1
    left join nearest
        on targets.run_id = nearest.run_id
        and frontier_ranges.hw_key = nearest.hw_key
        and nearest.rank_in_hw = 1

),

ix_targets as (

    select distinct targets.run_id, ix_models.model_key, targets.isl, targets.osl, targets.run_interactivity
    from targets
    inner join {{ ref('inferencex_dashboard_models') }} as ix_models
        on targets.model_slug = ix_models.model_slug

),

ix_frontier as (

    -- DuckDB-only model read through a gate: an empty relation of the same columns on Spark
    {{ semibench.inferencex_config_frontier_relation() }}

),

ix_segments as (

    {{ semibench.frontier_segments('ix_frontier', ['series_key', 'model_key', 'isl', 'osl']) }}

),

ix_hits as (

    {{ semibench.frontier_hits('ix_segments', 'ix_targets', 'run_interactivity', ['series_key', 'model_key', 'isl', 'osl'],
                               shared_columns=['model_key', 'isl', 'osl'], target_key_columns=['run_id']) }}

),

ix_best as (

    select
        ix_hits.run_id,
        count(*) as ix_series_at_run_interactivity,
        max(ix_hits.tput_per_gpu) as ix_best_frontier_tput_per_gpu,
        -- ties at the top: the alphabetically first series is named
        min(case when ix_hits.tput_per_gpu = ix_top.top_tput then series.series_label end) as ix_best_series_label
    from ix_hits
    inner join (select distinct series_key, series_label from ix_frontier) as series
        on ix_hits.series_key = series.series_key
    inner join (
        select run_id, max(tput_per_gpu) as top_tput from ix_hits where segment_preference = 1 group by run_id
    ) as ix_top
        on ix_hits.run_id = ix_top.run_id
    where ix_hits.segment_preference = 1
    group by ix_hits.run_id

),

ix_as_of as (

    select ix_targets.run_id, max(ix_frontier.result_date) as ix_curves_as_of
    from ix_targets
    inner join ix_frontier
        on ix_targets.model_key = ix_frontier.model_key
        and ix_targets.isl = ix_frontier.isl
        and ix_targets.osl = ix_frontier.osl
    group by ix_targets.run_id

),

ranked as (

    select
        *,
        case when frontier_tput_per_gpu is not null then
            -- bigint on both engines (Spark's rank() is an int)
            cast(rank() over (partition by run_id order by frontier_tput_per_gpu desc nulls last) as {{ dbt.type_bigint() }})
        end as frontier_rank_at_run_interactivity,
        max(frontier_tput_per_gpu) over (partition by run_id) as best_frontier_tput_per_gpu,
        row_number() over (partition by run_id order by nearest_point_log_distance nulls last, hw_key)
            as nearest_hw_order
    from placed

)

select
    -- every column of `ranked` but nearest_hw_order (no `* exclude`: not portable)
    {%- for column in ranked_columns %}
    ranked.{{ column }},
    {%- endfor %}
    -- ties at the top share the best tput; the alphabetically first hw_key is named
    min(case when ranked.frontier_rank_at_run_interactivity = 1 then ranked.hw_key end) over (partition by ranked.run_id)
        as best_frontier_hw_key,
    ranked.run_tput_per_gpu / nullif(ranked.best_frontier_tput_per_gpu, 0) as ratio_to_best_frontier,
    ranked.nearest_hw_order = 1 as has_nearest_point,
    ix_best.ix_series_at_run_interactivity,
    ix_best.ix_best_series_label,
    ix_best.ix_best_frontier_tput_per_gpu,
    ranked.run_tput_per_gpu / nullif(ix_best.ix_best_frontier_tput_per_gpu, 0) as ix_ratio_to_best_frontier,
    'linear' as ix_interpolation_method,
    ix_as_of.ix_curves_as_of
from ranked
left join ix_best
    on ranked.run_id = ix_best.run_id
left join ix_as_of
    on ranked.run_id = ix_as_of.run_id
