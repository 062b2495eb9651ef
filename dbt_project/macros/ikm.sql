{#- IKM per PermenPANRB 14/2017 from per-element sums and counts (pooled over responses):
    NRR_i = sum_i / count_i; IKM = (sum of NRR_i x 1/9) x 25, with the exact 1/9.
    NULL when any element has no answer at all. Unrounded; publish with round(.., 2).
    The elements are those of the seed ikm_unsur (ikm_elements). -#}
{% macro ikm_unrounded(prefix='') -%}
    {%- set elements = ikm_elements() -%}
    case
        when
            {% for e in elements -%}
            {{ prefix }}n_{{ e }} > 0{% if not loop.last %} and {% endif %}
            {%- endfor %}
            then 25.0 * (
                {% for e in elements -%}
                {{ prefix }}sum_{{ e }} / {{ prefix }}n_{{ e }}{% if not loop.last %} + {% endif %}
                {%- endfor %}
            ) / {{ elements | length }}.0
    end
{%- endmacro %}

{#- Per element: the sum of the scores and the number of responses that scored it. -#}
{% macro ikm_element_aggregates(alias='') -%}
    {%- for e in ikm_elements() %}
    sum({{ alias }}{{ e }}) as sum_{{ e }},
    count({{ alias }}{{ e }}) as n_{{ e }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The element columns of a survey response (u1, u2, ...), comma separated. -#}
{% macro ikm_element_columns(alias='') -%}
    {%- for e in ikm_elements() %}
    {{ alias }}{{ e }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
