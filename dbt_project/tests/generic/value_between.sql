{#- Every non-null value lies in [min_value, max_value]. The failing rows are returned whole:
    stored (dbt test --store-failures), their agency, year and file say whose new submission
    broke the rule (the submission review holds it). -#}
{% test value_between(model, column_name, min_value, max_value) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
