{#- None of `columns` is null: one test per model instead of one per column (each dbt test is
    a node, a query and a Dagster asset check; issue 18). The failing rows are returned whole,
    with `kolom_gagal` naming the empty columns, so the submission review can trace them to
    the agency, file and row and say which column is empty. -#}
{% test not_null_columns(model, columns) %}
    select
        *,
        concat_ws(', '
            {%- for c in columns %}, case when {{ c }} is null then '{{ c }}' end{% endfor %}
        ) as kolom_gagal
    from {{ model }}
    where {% for c in columns %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
