{#
  Fails for every row where the SQL boolean `expression` is false. A null result passes (SQL three-valued
  logic), so guard nullable columns explicitly when null must fail. Restrict rows with the standard
  `config: where:`.
#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
