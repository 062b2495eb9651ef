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
    sum(n_{{ e }}) as n_{{ e }},
    {%- endfor %}
    sum(jumlah_pns_ip_asn) as jumlah_pns_ip_asn,
    sum(total_ip_asn) as total_ip_asn,
    {%- for k in ip_asn_kategori_codes() %}
    sum(n_ip_{{ k | lower }}) as n_ip_{{ k | lower }},
    {%- endfor %}
    sum(jumlah_dialog_lengkap) as jumlah_dialog_lengkap,
    sum(total_triwulan_dialog) as total_triwulan_dialog,
    sum(jumlah_penerima_penghargaan) as jumlah_penerima_penghargaan,
    sum(jumlah_penerima_selaras) as jumlah_penerima_selaras
{%- endmacro %}

{#- The published figures of submission-standard.md from the additive counts. -#}
{% macro indikator_measures() -%}
    cast(jumlah_pegawai as bigint) as jumlah_pegawai,
    cast(jumlah_dinilai as bigint) as jumlah_dinilai,
    {{ published_pct('jumlah_dinilai', 'jumlah_pegawai') }} as cakupan_penilaian_pct,
    {%- for p in predikat_codes() %}
    {{ published_pct('n_' ~ (p | lower), 'jumlah_dinilai') }} as pct_{{ p | lower }},
    {%- endfor %}
    {{ published_mean('total_jp', 'jumlah_pegawai') }} as rata_jp,
    {{ published_pct('jumlah_pns_20jp', 'jumlah_pns') }} as pct_pns_memenuhi_20jp,
    cast(jumlah_responden as bigint) as jumlah_responden,
    cast(round({{ ikm_unrounded() }}, 2) as decimal(5, 2)) as ikm
{%- endmacro %}

{#- The published figures of the performance-management cycle (IP ASN, dialog kinerja,
    penghargaan; submission-standard.md), after mutu_ikm. -#}
{% macro indikator_siklus_measures(prefix='') -%}
    cast({{ prefix }}jumlah_pns_ip_asn as bigint) as jumlah_pns_ip_asn,
    {{ published_mean(prefix ~ 'total_ip_asn', prefix ~ 'jumlah_pns_ip_asn') }} as rata_ip_asn,
    {%- for k in ip_asn_kategori_codes() %}
    {{ published_pct(prefix ~ 'n_ip_' ~ (k | lower), prefix ~ 'jumlah_pns_ip_asn') }} as pct_ip_{{ k | lower }},
    {%- endfor %}
    {{ published_pct(prefix ~ 'jumlah_dialog_lengkap', prefix ~ 'jumlah_pegawai') }} as pct_dialog_lengkap,
    {{ published_mean(prefix ~ 'total_triwulan_dialog', prefix ~ 'jumlah_pegawai') }} as rata_triwulan_dialog,
    cast({{ prefix }}jumlah_penerima_penghargaan as bigint) as jumlah_penerima_penghargaan,
    {{ published_pct(prefix ~ 'jumlah_penerima_selaras', prefix ~ 'jumlah_penerima_penghargaan') }}
        as pct_penghargaan_selaras
{%- endmacro %}

{#- Of the additive counts n_<predikat> (columns of `prefix`), the sum over the predikat codes
    listed in `codes_column`, a '|'-separated list (seed kurva_distribusi.predikat_pegawai). -#}
{% macro appraised_with_any_of(codes_column, prefix='') -%}
    {%- for code in predikat_codes() %}
    (case when list_contains(string_split({{ codes_column }}, '|'), '{{ code }}')
        then {{ prefix }}n_{{ code | lower }} else 0 end){% if not loop.last %} +{% endif %}
    {%- endfor %}
{%- endmacro %}
