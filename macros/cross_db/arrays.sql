{#
  Portable array / time SQL for the request-trace models (int_loadgen__chunks, int_runs__loadgen,
  stg_loadgen__*), plus the incremental config those models use. Every macro dispatches through
  adapter.dispatch(..., 'semibench') like json_struct.sql and sql_helpers.sql:

    duckdb__  the SQL the models always had (list comprehensions, list_prepend, zipped unnest, len, //)
    spark__   Spark SQL 4 (array_size, get, transform, arrays_zip + inline, sequence, div, timestamp_micros);
              each snippet was run on a local pyspark 4 session (see tests/scale/test_arrays_macros.py
              for the DuckDB side and the snippets' shapes)
    default__ ANSI-ish SQL where there is one, else a compile error naming the adapter

  Conventions: indexes given to these macros are 1-based (SQL's), indexes they produce are 0-based
  (the chunk_index of int_loadgen__chunks). A null array has a null length and no elements.
#}

{# number of elements of an array (null for a null array) #}
{% macro array_length(arr) -%}
    {{ return(adapter.dispatch('array_length', 'semibench')(arr)) }}
{%- endmacro %}
{% macro default__array_length(arr) -%}cardinality({{ arr }}){%- endmacro %}
{% macro duckdb__array_length(arr) -%}len({{ arr }}){%- endmacro %}
{# array_size, not size: size(null) is -1 under spark.sql.legacy.sizeOfNull #}
{% macro spark__array_length(arr) -%}cast(array_size({{ arr }}) as bigint){%- endmacro %}

{# element at a 1-based index; null when the index is outside the array (never an error) #}
{% macro array_element(arr, index) -%}
    {{ return(adapter.dispatch('array_element', 'semibench')(arr, index)) }}
{%- endmacro %}
{% macro default__array_element(arr, index) -%}{{ arr }}[{{ index }}]{%- endmacro %}
{# get() is 0-based and null out of bounds; try_element_at still raises on index 0 #}
{% macro spark__array_element(arr, index) -%}get({{ arr }}, ({{ index }}) - 1){%- endmacro %}

{# the last element (null for an empty or null array) #}
{% macro array_last(arr) -%}
    {{ semibench.array_element(arr, semibench.array_length(arr)) }}
{%- endmacro %}

{# arr with a typed null in front: [null, a0, a1, ...] #}
{% macro array_prepend_null(arr, element_type) -%}
    {{ return(adapter.dispatch('array_prepend_null', 'semibench')(arr, element_type)) }}
{%- endmacro %}
{% macro default__array_prepend_null(arr, element_type) -%}
    array_prepend(cast(null as {{ element_type }}), {{ arr }})
{%- endmacro %}
{% macro duckdb__array_prepend_null(arr, element_type) -%}
    list_prepend(cast(null as {{ element_type }}), {{ arr }})
{%- endmacro %}
{% macro spark__array_prepend_null(arr, element_type) -%}
    concat(array(cast(null as {{ element_type }})), {{ arr }})
{%- endmacro %}

{# Differences between successive elements, aligned with arr: [null, a1 - a0, a2 - a1, ...]
   (same length as arr; empty for an empty array). #}
{% macro array_successive_gaps(arr, element_type) -%}
    {{ return(adapter.dispatch('array_successive_gaps', 'semibench')(arr, element_type)) }}
{%- endmacro %}
{% macro default__array_successive_gaps(arr, element_type) -%}
    {{ exceptions.raise_compiler_error("array_successive_gaps is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}
{% macro duckdb__array_successive_gaps(arr, element_type) -%}
    case when len({{ arr }}) > 0 then
        list_prepend(cast(null as {{ element_type }}),
                     [{{ arr }}[i + 1] - {{ arr }}[i] for i in range(1, len({{ arr }}))])
    else {{ arr }} end
{%- endmacro %}
{% macro spark__array_successive_gaps(arr, element_type) -%}
    transform({{ arr }}, (x, i) -> if(i = 0, cast(null as {{ element_type }}), x - {{ arr }}[i - 1]))
{%- endmacro %}

{#
  zip_unnest(index_alias, arrays): a select-list fragment that turns one row into one row per array
  position, with the 0-based position as `index_alias` and the i-th element of every array in `arrays`
  (a list of [expression, alias] pairs, the first one the driving array). Arrays shorter than the longest
  are padded with null (DuckDB's zipped unnest and Spark's arrays_zip agree on that), so pass arrays of
  equal length. A row whose arrays are all empty or null produces no row. Use it as the last item of a
  select list, after the columns to repeat:

      select run_id, request_id,
             {{ semibench.zip_unnest('chunk_index', [['chunk_ns', 'offset_ns'], ['gaps_ns', 'gap_ns']]) }}
      from requests

  DuckDB: several unnest() in one select list are zipped element by element.
  Spark:  inline(arrays_zip(index sequence, a, b, ...)) as (idx, a, b, ...) (a generator in the select
          list; sequence(0, -1) would be [0, -1], hence the guard for empty arrays).
#}
{% macro zip_unnest(index_alias, arrays) -%}
    {{ return(adapter.dispatch('zip_unnest', 'semibench')(index_alias, arrays)) }}
{%- endmacro %}
{% macro default__zip_unnest(index_alias, arrays) -%}
    {{ exceptions.raise_compiler_error("zip_unnest is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}
{% macro duckdb__zip_unnest(index_alias, arrays) -%}
    unnest(range(len({{ arrays[0][0] }}))) as {{ index_alias }}
    {%- for pair in arrays %},
    unnest({{ pair[0] }}) as {{ pair[1] }}
    {%- endfor %}
{%- endmacro %}
{% macro spark__zip_unnest(index_alias, arrays) -%}
    inline(arrays_zip(
        if(array_size({{ arrays[0][0] }}) > 0, sequence(0, array_size({{ arrays[0][0] }}) - 1), cast(array() as array<int>))
        {%- for pair in arrays %},
        {{ pair[0] }}
        {%- endfor %}
    )) as ({{ index_alias }}{% for pair in arrays %}, {{ pair[1] }}{% endfor %})
{%- endmacro %}

{# integer division truncating toward zero (DuckDB //, Spark div) #}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'semibench')(numerator, denominator)) }}
{%- endmacro %}
{% macro default__integer_divide(numerator, denominator) -%}
    cast(trunc(({{ numerator }}) / ({{ denominator }})) as {{ dbt.type_bigint() }})
{%- endmacro %}
{% macro duckdb__integer_divide(numerator, denominator) -%}(({{ numerator }}) // ({{ denominator }})){%- endmacro %}
{% macro spark__integer_divide(numerator, denominator) -%}(({{ numerator }}) div ({{ denominator }})){%- endmacro %}

{# UTC timestamp (microsecond precision, no time zone) from nanoseconds since the Unix epoch #}
{% macro timestamp_from_epoch_ns(ns) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_ns', 'semibench')(ns)) }}
{%- endmacro %}
{% macro default__timestamp_from_epoch_ns(ns) -%}
    (timestamp '1970-01-01 00:00:00' + ({{ ns }}) / 1000 * interval '1 microsecond')
{%- endmacro %}
{% macro duckdb__timestamp_from_epoch_ns(ns) -%}
    make_timestamp({{ semibench.duckdb__integer_divide(ns, 1000) }})
{%- endmacro %}
{# timestamp_micros gives a TIMESTAMP (session-local display); the warehouse keeps UTC, so set
   spark.sql.session.timeZone=UTC on the Spark target #}
{% macro spark__timestamp_from_epoch_ns(ns) -%}
    timestamp_micros({{ semibench.spark__integer_divide(ns, 1000) }})
{%- endmacro %}

