{#- Use the configured schema name as is (staging, intermediate, marts, ref), not
    <target_schema>_<name>: analysts query marts.indikator_wilayah. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
