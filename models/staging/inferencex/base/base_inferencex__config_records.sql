{#
  The 17-field config key of every record that carries one (API benchmarks, history and evaluations inline;
  the dump's configs table by id), normalised by the seeds: hardware -> GPU key, framework aliases
  (sglang-disagg -> mori-sglang + disagg), model key checked against inferencex_models / aliases, text keys
  lower case. config_key is a hash of the 17 normalised fields. `config_problems` lists what could not be
  normalised (unknown hardware/framework/model, missing key fields); such configs get no config_key.
#}
-- a table, not a view: every staging view, mart and data test reads it, and as a view each of them re-ran
-- its casts and seed joins over the whole history
{{ config(materialized='table') }}
{%- set ints = ['prefill_tp', 'prefill_ep', 'prefill_num_workers', 'decode_tp', 'decode_ep', 'decode_num_workers',
                'num_prefill_gpu', 'num_decode_gpu'] -%}
with parsed as (

    -- JSON parsed once per record (base_inferencex__parsed_records): text columns j_<field>
    select * from {{ ref('base_inferencex__parsed_records') }}
    where record_kind in ('benchmarks', 'benchmarks_history', 'evaluations', 'dump_configs')

),

typed as (

    select
        record_kind,
        record_sha256,
        case when record_kind = 'dump_configs' then {{ semibench.try_cast('j_id', dbt.type_bigint()) }} end as dump_config_id,
        lower(trim(j_hardware)) as hardware_raw,
        lower(trim(j_framework)) as framework_raw,
        lower(trim(j_model)) as model_raw,
        lower(trim(j_precision)) as precision,
        coalesce(nullif(lower(trim(j_spec_method)), ''), 'none') as spec_method,
        {{ semibench.text_to_boolean('j_disagg') }} as disagg_raw,
        {{ semibench.text_to_boolean('j_is_multinode') }} as is_multinode,
        {{ semibench.text_to_boolean('j_prefill_dp_attention') }} as prefill_dp_attention,
        {{ semibench.text_to_boolean('j_decode_dp_attention') }} as decode_dp_attention,
        {%- for f in ints %}
        {{ semibench.try_double_to_int(semibench.try_cast('j_' ~ f, semibench.type_double())) }} as {{ f }}{{ ',' if not loop.last }}
        {%- endfor %}
    from parsed

),

normalised as (

    select
        typed.*,
        hw.gpu_key as hardware,
        hw.vendor,
        fw.framework,
        coalesce(fw.forces_disagg, false) or coalesce(typed.disagg_raw, false) as disagg,
        coalesce(models.model_key, aliases.model_key) as model
    from typed
    left join {{ ref('base_inferencex__hardware_map') }} as hw
        on typed.hardware_raw = hw.hardware_raw
    left join {{ ref('inferencex_frameworks') }} as fw
        on typed.framework_raw = fw.framework_raw
    left join {{ ref('inferencex_models') }} as models
        on typed.model_raw = models.model_key
    left join {{ ref('inferencex_model_aliases') }} as aliases
        on typed.model_raw = aliases.alias

),

checked as (

    select
        normalised.*,
        nullif(concat_ws('; ',
            case when hardware is null then concat('unknown hardware ''', coalesce(hardware_raw, ''), '''') end,
            case when framework is null then concat('unknown framework ''', coalesce(framework_raw, ''), '''') end,
            case when model is null then concat('unknown model ''', coalesce(model_raw, ''), '''') end,
            case when precision is null or precision = '' then 'precision missing' end,
            case when disagg_raw is null then 'disagg missing or not a boolean' end,
            case when is_multinode is null then 'is_multinode missing or not a boolean' end,
            case when prefill_dp_attention is null or decode_dp_attention is null
                then 'dp_attention missing or not a boolean' end,
            {%- for f in ints %}
            case when {{ f }} is null then '{{ f }} missing or not an integer' end{{ ',' if not loop.last }}
            {%- endfor %}
        ), '') as config_problems
    from normalised

)

select
    record_kind,
    record_sha256,
    dump_config_id,
    case when config_problems is null then {{ dbt.hash(dbt.concat([
        'hardware', "'|'", 'framework', "'|'", 'model', "'|'", 'precision', "'|'", 'spec_method', "'|'",
        dbt.cast('disagg', dbt.type_string()), "'|'", dbt.cast('is_multinode', dbt.type_string()), "'|'",
        dbt.cast('prefill_tp', dbt.type_string()), "'|'", dbt.cast('prefill_ep', dbt.type_string()), "'|'",
        dbt.cast('prefill_dp_attention', dbt.type_string()), "'|'", dbt.cast('prefill_num_workers', dbt.type_string()), "'|'",
        dbt.cast('decode_tp', dbt.type_string()), "'|'", dbt.cast('decode_ep', dbt.type_string()), "'|'",
        dbt.cast('decode_dp_attention', dbt.type_string()), "'|'", dbt.cast('decode_num_workers', dbt.type_string()), "'|'",
        dbt.cast('num_prefill_gpu', dbt.type_string()), "'|'", dbt.cast('num_decode_gpu', dbt.type_string())
    ])) }} end as config_key,
    hardware,
    framework,
    model,
    precision,
    spec_method,
    disagg,
    is_multinode,
    prefill_tp,
    prefill_ep,
    prefill_dp_attention,
    prefill_num_workers,
    decode_tp,
    decode_ep,
    decode_dp_attention,
    decode_num_workers,
    num_prefill_gpu,
    num_decode_gpu,
    vendor,
    hardware_raw,
    framework_raw,
    model_raw,
    config_problems
from checked
