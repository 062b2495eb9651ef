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

{#- What identifies a row within one agency's submission for a year (the standard's "one row
    per ..."): a roster's and an appraisal's employee, a training's employee, name and dates,
    a response's respondent, a dialogue's employee and quarter, a reward's employee, kind and
    date. Returned as the key columns, comma-separated (for hash()). A file most of whose row
    keys are already in the submission so far is a revision, not one more part of it (macro
    file_submissions). -#}
{% macro row_key(dataset, alias='') -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- set columns = {'pegawai': ['nip'], 'penilaian': ['nip'],
                       'pelatihan': ['nip', 'nama_pelatihan', 'tanggal_mulai', 'tanggal_selesai'],
                       'survei': ['id_responden'],
                       'dialog_kinerja': ['nip', 'triwulan'],
                       'penghargaan': ['nip', 'jenis_penghargaan', 'tanggal']}[dataset] -%}
    {%- for c in columns %}{{ ', ' if not loop.first }}{{ prefix }}{{ c }}{% endfor -%}
{%- endmacro %}

{#- The published key of a fact row: `agency:year:file:row`, the agency that sent it, the
    row's year, the first 16 hex digits of its file's sha256 (a submission may be several
    files) and its row number. No digest of the whole: a 32-digit md5 or a full sha256 can
    hold a run of 18 decimal digits, which the personal-data gate reads as an NIP; here no
    digit run is longer than 16 (a colon is not an NIP separator). -#}
{% macro fact_row_key(agency_column) -%}
    {{ agency_column }} || ':' || tahun || ':' || left(file_sha256, 16) || ':' || baris
{%- endmacro %}
