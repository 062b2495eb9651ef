-- Personal data masked in free text, one row per file, row, column and kind (NIP, NAMA): each
-- replacement is reported to the agency (its findings workbook, sheet "Data Pribadi", and
-- fct_temuan), never a silent change. What was masked is not here, only where.
{{ config(materialized='table') }}
{#-
  dbt records a model's dependencies while parsing, when the sources are not known yet: one
  line per submission dataset's staging model; assert_depends_on_staging checks them against
  _sources.yml (meta.dataset) on every run.
-#}
-- depends_on: {{ ref('stg_raw__pegawai') }}
-- depends_on: {{ ref('stg_raw__penilaian') }}
-- depends_on: {{ ref('stg_raw__pelatihan') }}
-- depends_on: {{ ref('stg_raw__survei') }}
{{ assert_depends_on_staging(submission_datasets()) }}
with masked as (
    {%- for dataset in submission_datasets() %}
    {% if not loop.first %}union all
    {% endif -%}
    select
        file_sha256,
        kode_instansi,
        tahun,
        '{{ dataset }}' as dataset,
        baris,
        unnest(_data_pribadi) as temuan
    from {{ ref('stg_raw__' ~ dataset) }}
    where len(_data_pribadi) > 0
    {%- endfor %}
    {%- if not submission_datasets() %}
    select
        null as file_sha256, null as kode_instansi, null as tahun, null as dataset,
        null as baris, null as temuan
    where false
    {%- endif %}
)

select
    m.kode_instansi,
    cast(m.tahun as integer) as tahun,
    m.dataset,
    m.file_sha256,
    l.file_name,
    m.baris,
    split_part(m.temuan, ':', 1) as kolom,
    split_part(m.temuan, ':', 2) as jenis,
    case split_part(m.temuan, ':', 2)
        when 'NIP' then '{{ personal_data_def("nip_rule") }}'
        else '{{ personal_data_def("name_rule") }}'
    end as aturan
from masked as m
left join {{ ref('stg_raw__load_log') }} as l
    on m.file_sha256 = l.file_sha256 and m.kode_instansi = l.kode_instansi
