{#- IKM per PermenPANRB 14/2017 from per-element sums and counts (pooled over responses):
    NRR_i = sum_i / count_i; IKM = (sum of NRR_i x 1/9) x 25, with the exact 1/9.
    NULL when any element has no answer at all. Unrounded; publish with round(.., 2). -#}
{% macro ikm_unrounded(prefix='') -%}
    case when {% for i in range(1, 10) %}{{ prefix }}n_u{{ i }} > 0{% if not loop.last %} and {% endif %}{% endfor %}
    then 25.0 * (
        {% for i in range(1, 10) -%}
        {{ prefix }}sum_u{{ i }} / {{ prefix }}n_u{{ i }}{% if not loop.last %} + {% endif %}
        {%- endfor %}
    ) / 9.0
    end
{%- endmacro %}

{% macro ikm_element_aggregates(alias='') -%}
    {%- for i in range(1, 10) %}
    sum({{ alias }}u{{ i }}) as sum_u{{ i }},
    count({{ alias }}u{{ i }}) as n_u{{ i }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
