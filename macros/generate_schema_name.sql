{# Use custom schema names verbatim (staging, intermediate, seeds) instead of dbt's
   "<target>_<custom>" so ad-hoc SQL and the ingester agree on fixed names. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
