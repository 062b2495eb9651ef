-- One row per loaded file of a submission dataset and year it has rows for (a row's year:
-- row_year), for every submission, revisions included, with its rows and distinct NIPs and
-- the submission it belongs to (macro file_submissions; the submission review compares a
-- revision with the submission it replaces). A table: it is read in full once per build (the
-- raw tables are scanned here only), and its tests read this small table.
{{ config(materialized='table') }}
{#-
  dbt records a model's dependencies while parsing, when the sources are not known yet
  (graph is empty): one line per submission dataset; assert_depends_on_sources checks them
  against _sources.yml (meta.dataset) on every run.
-#}
-- depends_on: {{ source('raw', 'pegawai') }}
-- depends_on: {{ source('raw', 'penilaian') }}
-- depends_on: {{ source('raw', 'pelatihan') }}
-- depends_on: {{ source('raw', 'survei') }}
-- depends_on: {{ source('raw', 'dialog_kinerja') }}
-- depends_on: {{ source('raw', 'penghargaan') }}
{{ assert_depends_on_sources(submission_datasets()) }}
{%- for dataset in submission_datasets() %}
{%- set relation = source('raw', dataset) %}
{%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list
    if execute else [] %}
{% if not loop.first %}union all
{% endif -%}
select
    file_sha256,
    kode_instansi,
    '{{ dataset }}' as dataset,
    tahun,
    jumlah_baris,
    jumlah_nip,
    kiriman_ke,
    waktu_kiriman
from {{ file_submissions(dataset, relation, 'nip' in columns) }}
{%- endfor %}
