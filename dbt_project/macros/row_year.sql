{#- The year a raw row belongs to (the standard: a roster's, an appraisal's, a dialogue's and a reward's `tahun`, a
    training's end date, a survey response's date). The submission rule, the incremental
    facts and the data-quality model all use this one definition. -#}
{% macro row_year(dataset, alias='') -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- set column = {'pegawai': 'tahun', 'penilaian': 'tahun',
                      'dialog_kinerja': 'tahun', 'penghargaan': 'tahun',
                      'pelatihan': 'year(' ~ prefix ~ 'tanggal_selesai)',
                      'survei': 'year(' ~ prefix ~ 'tanggal_survei)'} -%}
    {%- if dataset in ('pegawai', 'penilaian', 'dialog_kinerja', 'penghargaan') -%}{{ prefix }}{%- endif -%}{{ column[dataset] }}
{%- endmacro %}
