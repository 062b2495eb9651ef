{#- Every non-null value of each column in `ranges` ({column: [min, max]}) lies in its range:
    one test per model instead of one per column (issue 18). The failing rows are returned
    whole, with `kolom_gagal` naming the columns out of range (macro rows_failing_columns):
    stored (dbt test --store-failures), their agency, year and file say whose new submission
    broke the rule (the submission review holds it). -#}
{% test values_between(model, ranges) %}
    {%- set conditions = {} %}
    {%- for c, r in ranges.items() %}
        {%- do conditions.update({c: c ~ ' < ' ~ r[0] ~ ' or ' ~ c ~ ' > ' ~ r[1]}) %}
    {%- endfor %}
    {{ rows_failing_columns(model, conditions) }}
{% endtest %}
