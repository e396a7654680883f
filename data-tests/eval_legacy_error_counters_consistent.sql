{{ config(severity='warn') }}
-- The old writer's per-category error counters should add up to its own total_errors; a mismatch means
-- the imported file was hand-edited or half-migrated, and its error mix is not to be trusted.
select source_file, source_locator, total_errors_field,
       tool_call_format_errors + timeout_errors + dependency_errors + parameter_config_errors
       + tool_selection_errors + sequence_order_errors + max_turns_errors + other_errors as category_sum
from {{ ref('stg_tool_eval__legacy_cells') }}
where total_errors_field is not null
  and total_errors_field <> tool_call_format_errors + timeout_errors + dependency_errors + parameter_config_errors
      + tool_selection_errors + sequence_order_errors + max_turns_errors + other_errors
