-- One row per loaded file of a submission dataset and year it has rows for (a row's year:
-- row_year), for every submission, revisions included, with its rows and distinct NIPs and
-- the submission it belongs to (macro file_submissions; the submission review compares a
-- revision with the submission it replaces). Incremental per agency and dataset: a build
-- recomputes the agencies that had a file of a dataset loaded since the last one, each with
-- all its files of that dataset (the raw tables are scanned here only; nationally the full
-- computation takes 10 s, one agency's a fraction of it). The load log changes only by new
-- rows and by a file sent again (new loaded_at); holds and withdrawals act later, in
-- latest_submission.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'dataset'],
    on_schema_change='fail'
) }}
{%- set since = model_watermark() if is_incremental() else none %}
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
    waktu_kiriman,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from {{ file_submissions(dataset, relation, 'nip' in columns, since) }}
{%- endfor %}
