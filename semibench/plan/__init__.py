"""The capacity and cost planner behind `semibench plan` (docs/planner.md): the SQL of macros/planner.sql run
over the published warehouse for any scenario, the same SQL dbt renders for mart_planning__plan."""
