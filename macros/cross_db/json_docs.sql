{#
  Portable macros of the tool-use evaluation models (port-eval): building nested JSON documents
  (tool_eval_master_database), reading JSON by a key only known at run time, and a few small helpers
  the tool_eval models need on both engines. Each has a duckdb__ (= default__) and a spark__ version.

  JSON documents
  --------------
  DuckDB builds JSON values bottom-up (json_object / json_group_object nest JSON in JSON). Spark cannot
  embed a JSON string in another one without quoting it, so on Spark the document is built from typed
  values (named_struct for objects, map<string, ...> for objects keyed by data) and serialised once at the
  end with json_doc_serialize. Use the three together:

      json_doc_object([('total', 'tests'), ('by_x', json_doc_group_object('x', 'node'))])
      json_doc_group_object(key, value)      -- aggregate: {key: value, ...} over the group, keys sorted
      json_doc_serialize(expr)               -- the final JSON text (no-op on DuckDB, already JSON)

  Null members are kept as JSON null on both engines (Spark's to_json drops them by default). Numbers
  are written by each engine's serialiser: the same values, possibly spelled differently (1e-05 vs
  1.0E-5), so compare documents parsed, not as text.
#}

{# json_doc_object(pairs): a JSON object from a list of (key, sql expression) pairs. #}
{% macro json_doc_object(pairs) -%}
    {{ return(adapter.dispatch('json_doc_object', 'semibench')(pairs)) }}
{%- endmacro %}
{% macro default__json_doc_object(pairs) -%}
    json_object(
        {%- for key, value in pairs %}
        '{{ key }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
{% macro spark__json_doc_object(pairs) -%}
    named_struct(
        {%- for key, value in pairs %}
        '{{ key }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{# json_doc_group_object(key, value): aggregate, a JSON object {key: value} of the group's rows, keys in
   ascending order (keys must be unique and not null within the group). DuckDB gives null over no rows,
   Spark {}: wrap in coalesce(..., json_doc_empty_object()) when that matters. #}
{% macro json_doc_group_object(key, value) -%}
    {{ return(adapter.dispatch('json_doc_group_object', 'semibench')(key, value)) }}
{%- endmacro %}
{% macro default__json_doc_group_object(key, value) -%}
    {#- DuckDB's json_group_object (a macro, so it takes no ORDER BY), spelled out with sorted keys -#}
    cast('{' || string_agg(
        case when ({{ key }}) is null then error('json_doc_group_object key cannot be NULL')
             else to_json(cast({{ key }} as varchar)) end
        || ':' || case when ({{ value }}) is null then cast('null' as json) else to_json({{ value }}) end,
        ',' order by {{ key }}) || '}' as json)
{%- endmacro %}
{% macro spark__json_doc_group_object(key, value) -%}
    map_from_entries(array_sort(
        collect_list(named_struct('k', {{ key }}, 'v', {{ value }})),
        (l, r) -> case when l.k < r.k then -1 when l.k > r.k then 1 else 0 end
    ))
{%- endmacro %}

{# empty JSON object / array, to coalesce an aggregate over no rows with #}
{% macro json_doc_empty_object() -%}
    {{ return(adapter.dispatch('json_doc_empty_object', 'semibench')()) }}
{%- endmacro %}
{% macro default__json_doc_empty_object() -%}cast('{}' as json){%- endmacro %}
{% macro spark__json_doc_empty_object() -%}map(){%- endmacro %}

{% macro json_doc_empty_array() -%}
    {{ return(adapter.dispatch('json_doc_empty_array', 'semibench')()) }}
{%- endmacro %}
{% macro default__json_doc_empty_array() -%}[]{%- endmacro %}
{% macro spark__json_doc_empty_array() -%}array(){%- endmacro %}

{# json_doc_serialize(expr): the document as JSON text (DuckDB: the JSON value itself; Spark: to_json
   keeping null members) #}
{% macro json_doc_serialize(expr) -%}
    {{ return(adapter.dispatch('json_doc_serialize', 'semibench')(expr)) }}
{%- endmacro %}
{% macro default__json_doc_serialize(expr) -%}{{ expr }}{%- endmacro %}
{% macro spark__json_doc_serialize(expr) -%}
    to_json({{ expr }}, map('ignoreNullFields', 'false'))
{%- endmacro %}

{# json_doc_child(json, key_expr): the JSON value under a key given as a SQL expression (a column: the
   key is data, so it cannot go into a literal JSONPath). Any key works: dots, quotes, backslashes, and
   a leading `/` or `$` (DuckDB's `->` reads a bare key starting with `/` as a JSON pointer and one
   starting with `$` as a JSONPath, so the key always goes in as a quoted JSONPath member). Null when
   missing. #}
{% macro json_doc_child(json, key_expr) -%}
    {{ return(adapter.dispatch('json_doc_child', 'semibench')(json, key_expr)) }}
{%- endmacro %}
{% macro default__json_doc_child(json, key_expr) -%}
    (cast({{ json }} as json) -> ('$."' || replace(replace({{ key_expr }}, '\', '\\'), '"', '\"') || '"'))
{%- endmacro %}
{% macro spark__json_doc_child(json, key_expr) -%}
    {#- a map lookup, not a JSONPath: no key can be misread as syntax (objects come back as JSON text) -#}
    from_json({{ json }}, 'map<string,string>')[{{ key_expr }}]
{%- endmacro %}

{# json_doc_is_valid(expr): true when the text parses as JSON. Spark has no strict validator: a valid
   leading document followed by garbage passes there. #}
{% macro json_doc_is_valid(expr) -%}
    {{ return(adapter.dispatch('json_doc_is_valid', 'semibench')(expr)) }}
{%- endmacro %}
{% macro default__json_doc_is_valid(expr) -%}json_valid(cast({{ expr }} as varchar)){%- endmacro %}
{% macro spark__json_doc_is_valid(expr) -%}
    (get_json_object(cast({{ expr }} as string), '$') is not null)
{%- endmacro %}

{# json_array_length_of(json, key): number of elements when the top-level member `key` is a JSON array,
   else null (missing, null, a number, a string). #}
{% macro json_array_length_of(json, key) -%}
    {{ return(adapter.dispatch('json_array_length_of', 'semibench')(json, key)) }}
{%- endmacro %}
{% macro default__json_array_length_of(json, key) -%}
    case json_type({{ json }}, '$.{{ key }}') when 'ARRAY' then json_array_length({{ json }}, '$.{{ key }}') end
{%- endmacro %}
{% macro spark__json_array_length_of(json, key) -%}
    {#- an array<string> field takes any array (elements as their JSON text) and nothing else -#}
    {%- set arr = "from_json(" ~ json ~ ", 'struct<`" ~ key ~ "`:array<string>>').`" ~ key ~ "`" -%}
    case when {{ arr }} is not null then size({{ arr }}) end
{%- endmacro %}

{#
  Small helpers of the tool_eval models (prefixed eval_ to stay clear of helpers other folders add).
#}

{# eval_regexp_contains(expr, pattern): the pattern matches somewhere in expr. Keep patterns free of
   backslashes (Spark unescapes them in literals): use [.] and [0-9]. #}
{% macro eval_regexp_contains(expr, pattern) -%}
    {{ return(adapter.dispatch('eval_regexp_contains', 'semibench')(expr, pattern)) }}
{%- endmacro %}
{% macro default__eval_regexp_contains(expr, pattern) -%}regexp_matches({{ expr }}, '{{ pattern }}'){%- endmacro %}
{% macro spark__eval_regexp_contains(expr, pattern) -%}({{ expr }} rlike '{{ pattern }}'){%- endmacro %}

{# eval_text_to_utc_timestamp(text): a timestamp (no time zone) from ISO text. Zone-qualified text (Z,
   +hh:mm, +hhmm) is converted to UTC; naive text is kept as written; anything else gives null. #}
{% macro eval_text_to_utc_timestamp(text) -%}
    {{ return(adapter.dispatch('eval_text_to_utc_timestamp', 'semibench')(text)) }}
{%- endmacro %}
{% macro default__eval_text_to_utc_timestamp(text) -%}
    case
        when regexp_matches({{ text }}, '(Z|[+-][0-9]{2}:?[0-9]{2})$')
            then timezone('UTC', try_cast({{ text }} as timestamptz))
        else try_cast({{ text }} as timestamp)
    end
{%- endmacro %}
{% macro spark__eval_text_to_utc_timestamp(text) -%}
    {#- Spark's casts are more lenient than DuckDB's ('2025', '2025-08-20T12' parse): require a full date
        and, if a time follows, hours and minutes, as DuckDB does -#}
    case
        when not ({{ text }} rlike '^ *[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( *$|[T ][0-9]{1,2}:[0-9]{2})') then null
        when {{ text }} rlike '(Z|[+-][0-9]{2}:?[0-9]{2})$'
            then cast(try_cast({{ text }} as timestamp_ltz) as timestamp_ntz)
        else try_cast({{ text }} as timestamp_ntz)
    end
{%- endmacro %}

{# eval_rate_text(x): text of a double rounded to at most 4 decimals, as DuckDB's cast to varchar spells
   it ('0.8', '1.0', '0.0001'): used in event identities (hashed) and as JSON keys, so both engines must
   produce the same text. Spark's own cast gives '1.0E-4' below 0.001. #}
{% macro eval_rate_text(x) -%}
    {{ return(adapter.dispatch('eval_rate_text', 'semibench')(x)) }}
{%- endmacro %}
{% macro default__eval_rate_text(x) -%}cast({{ x }} as varchar){%- endmacro %}
{% macro spark__eval_rate_text(x) -%}
    regexp_replace(cast(cast({{ x }} as decimal(38, 4)) as string), '([.][0-9])([0-9]*?)0+$', '$1$2')
{%- endmacro %}

{# eval_median(expr): aggregate, the median of the group's non-null doubles interpolated exactly as
   DuckDB's median does (lo * 0.5 + hi * 0.5 for an even count), so both engines give the same double to
   the last bit. Spark's own median/percentile computes lo + (hi - lo) * 0.5, which can differ by an ulp
   (0.1 and 0.7: 0.4 vs DuckDB's 0.39999999999999997). #}
{% macro eval_median(expr) -%}
    {{ return(adapter.dispatch('eval_median', 'semibench')(expr)) }}
{%- endmacro %}
{% macro default__eval_median(expr) -%}median({{ expr }}){%- endmacro %}
{% macro spark__eval_median(expr) -%}
    {%- set s = "array_sort(collect_list(" ~ expr ~ "))" -%}
    {%- set lo = "element_at(" ~ s ~ ", cast(floor((size(" ~ s ~ ") - 1) / 2) as int) + 1)" -%}
    {%- set hi = "element_at(" ~ s ~ ", cast(ceil((size(" ~ s ~ ") - 1) / 2) as int) + 1)" -%}
    case
        when size({{ s }}) = 0 then null
        when size({{ s }}) % 2 = 1 then {{ lo }}
        else {{ lo }} * 0.5d + {{ hi }} * 0.5d
    end
{%- endmacro %}

{# eval_sum_double(expr): aggregate, the sum of the group's non-null doubles added one by one in
   ascending order (null when there are none). A plain sum(double) depends on the order rows arrive in,
   which differs between engines and even between two DuckDB runs (threads): summing in a fixed order
   gives the same double, to the last bit, on both engines and every run. #}
{% macro eval_sum_double(expr) -%}
    {{ return(adapter.dispatch('eval_sum_double', 'semibench')(expr)) }}
{%- endmacro %}
{% macro default__eval_sum_double(expr) -%}sum({{ expr }} order by {{ expr }}){%- endmacro %}
{% macro spark__eval_sum_double(expr) -%}
    case when count({{ expr }}) > 0 then
        aggregate(array_sort(collect_list(cast({{ expr }} as double))), cast(0 as double), (acc, v) -> acc + v)
    end
{%- endmacro %}

{# eval_round_double(x, digits): round a double to `digits` decimals as DuckDB's round does: scale by
   10^digits in double arithmetic, round half away from zero, scale back. Spark's round(x, d) rounds the
   decimal spelling of x instead (0.00015 -> 0.0002 on Spark, 0.0001 on DuckDB, whose 0.00015 * 10000 is
   1.4999999999999998); round(y, 0) of the scaled double is the same on both. #}
{% macro eval_round_double(x, digits) -%}
    {{ return(adapter.dispatch('eval_round_double', 'semibench')(x, digits)) }}
{%- endmacro %}
{% macro default__eval_round_double(x, digits) -%}round({{ x }}, {{ digits }}){%- endmacro %}
{% macro spark__eval_round_double(x, digits) -%}
    (round(cast({{ x }} as double) * {{ 10 ** digits }}, 0) / {{ 10 ** digits }})
{%- endmacro %}
