{#
  Fails (give it severity warn) for every row of a quarantine model: records landed with problems are kept
  out of the marts, and a warning on every build keeps them from being forgotten. Never error severity:
  a bad input must not block publishing (issue 10).
#}
{% test quarantine_is_empty(model) %}
    select * from {{ model }}
{% endtest %}
