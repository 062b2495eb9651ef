-- One row per loaded file of a submission dataset and year it has rows for (a row's year:
-- row_year), for every submission, revisions included. A table: it is read in full once per
-- build (the raw tables are scanned here only), and its tests read this small table.
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
{{ assert_depends_on_sources(submission_datasets()) }}
{%- for dataset in submission_datasets() %}
{% if not loop.first %}union
{% endif -%}
select distinct
    file_sha256,
    kode_instansi,
    '{{ dataset }}' as dataset,
    cast({{ row_year(dataset) }} as integer) as tahun
from {{ source('raw', dataset) }}
{%- endfor %}
