{#- Sums of the additive counts of int_indikator_basis (to pool agencies into a region). -#}
{% macro indikator_basis_sums() -%}
    sum(jumlah_pegawai) as jumlah_pegawai,
    sum(jumlah_dinilai) as jumlah_dinilai,
    {%- for p in predikat_codes() %}
    sum(n_{{ p | lower }}) as n_{{ p | lower }},
    {%- endfor %}
    sum(total_jp) as total_jp,
    sum(jumlah_pns) as jumlah_pns,
    sum(jumlah_pns_20jp) as jumlah_pns_20jp,
    sum(jumlah_responden) as jumlah_responden,
    {%- for e in ikm_elements() %}
    sum(sum_{{ e }}) as sum_{{ e }},
    sum(n_{{ e }}) as n_{{ e }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The published figures of submission-standard.md from the additive counts. -#}
{% macro indikator_measures() -%}
    cast(jumlah_pegawai as bigint) as jumlah_pegawai,
    cast(jumlah_dinilai as bigint) as jumlah_dinilai,
    {{ published_pct('jumlah_dinilai', 'jumlah_pegawai') }} as cakupan_penilaian_pct,
    {%- for p in predikat_codes() %}
    {{ published_pct('n_' ~ (p | lower), 'jumlah_dinilai') }} as pct_{{ p | lower }},
    {%- endfor %}
    case when jumlah_pegawai > 0
        then cast(round(total_jp / jumlah_pegawai, 2) as decimal(10, 2))
    end as rata_jp,
    {{ published_pct('jumlah_pns_20jp', 'jumlah_pns') }} as pct_pns_memenuhi_20jp,
    cast(jumlah_responden as bigint) as jumlah_responden,
    cast(round({{ ikm_unrounded() }}, 2) as decimal(5, 2)) as ikm
{%- endmacro %}

{#- Of the additive counts n_<predikat> (columns of `prefix`), the sum over the predikat codes
    listed in `codes_column`, a '|'-separated list (seed kurva_distribusi.predikat_pegawai). -#}
{% macro appraised_with_any_of(codes_column, prefix='') -%}
    {%- for code in predikat_codes() %}
    (case when list_contains(string_split({{ codes_column }}, '|'), '{{ code }}')
        then {{ prefix }}n_{{ code | lower }} else 0 end){% if not loop.last %} +{% endif %}
    {%- endfor %}
{%- endmacro %}
