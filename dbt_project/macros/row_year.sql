{#- The year a raw row belongs to (the standard: a roster's and an appraisal's `tahun`, a
    training's end date, a survey response's date). The submission rule, the incremental
    facts and the data-quality model all use this one definition. -#}
{% macro row_year(dataset, alias='') -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- set column = {'pegawai': 'tahun', 'penilaian': 'tahun',
                      'pelatihan': 'year(' ~ prefix ~ 'tanggal_selesai)',
                      'survei': 'year(' ~ prefix ~ 'tanggal_survei)'} -%}
    {%- if dataset in ('pegawai', 'penilaian') -%}{{ prefix }}{%- endif -%}{{ column[dataset] }}
{%- endmacro %}
