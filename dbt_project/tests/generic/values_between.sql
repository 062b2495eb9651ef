{#- Every non-null value of each column in `ranges` ({column: [min, max]}) lies in its range:
    one test per model instead of one per column (issue 18). The failing rows are returned
    whole, with `kolom_gagal` naming the columns out of range: stored (dbt test
    --store-failures), their agency, year and file say whose new submission broke the rule
    (the submission review holds it). -#}
{% test values_between(model, ranges) %}
    select
        *,
        concat_ws(', '
            {%- for c, r in ranges.items() %}, case when {{ c }} < {{ r[0] }} or {{ c }} > {{ r[1] }} then '{{ c }}' end{% endfor %}
        ) as kolom_gagal
    from {{ model }}
    where
        {%- for c, r in ranges.items() %}
        {% if not loop.first %}or {% endif %}{{ c }} < {{ r[0] }} or {{ c }} > {{ r[1] }}
        {%- endfor %}
{% endtest %}
