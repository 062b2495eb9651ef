{#-
  The body of the data tests of several columns (tests/generic): the rows of `model` failing
  any of `conditions` ({column: SQL true where that column's value fails}), whole, with
  `kolom_gagal` naming the columns each row fails (the submission review's hold reason repeats
  them). Each condition is written once, here.
-#}
{% macro rows_failing_columns(model, conditions) %}
    select
        *,
        concat_ws(', '
            {%- for column, failing in conditions.items() %}, case when {{ failing }} then '{{ column }}' end{% endfor %}
        ) as kolom_gagal
    from {{ model }}
    where
        {%- for failing in conditions.values() %}
        {% if not loop.first %}or {% endif %}({{ failing }})
        {%- endfor %}
{% endmacro %}
