{#- A published percentage: numerator / denominator x 100, rounded to two decimals, and
    empty (NULL) when the denominator is under var('min_cell_size') people (small cells). -#}
{% macro published_pct(numerator, denominator) -%}
    case
        when {{ denominator }} >= {{ var('min_cell_size') }}
            then cast(round(100.0 * {{ numerator }} / {{ denominator }}, 2) as decimal(5, 2))
    end
{%- endmacro %}

{#- A published mean (`rata_*`): total / people, rounded to two decimals, and empty (NULL) when
    it is over fewer than var('min_cell_size') people (submission-standard.md). -#}
{% macro published_mean(total, people) -%}
    case
        when {{ people }} >= {{ var('min_cell_size') }}
            then cast(round(1.0 * {{ total }} / {{ people }}, 2) as decimal(10, 2))
    end
{%- endmacro %}
