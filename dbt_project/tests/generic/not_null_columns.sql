{#- None of `columns` is null: one test per model instead of one per column (each dbt test is
    a node, a query and a Dagster asset check; issue 18). The failing rows are returned whole,
    with `kolom_gagal` naming the empty columns (macro rows_failing_columns), so the
    submission review can trace them to the agency, file and row and say which column is
    empty. -#}
{% test not_null_columns(model, columns) %}
    {%- set conditions = {} %}
    {%- for c in columns %}{% do conditions.update({c: c ~ ' is null'}) %}{% endfor %}
    {{ rows_failing_columns(model, conditions) }}
{% endtest %}
