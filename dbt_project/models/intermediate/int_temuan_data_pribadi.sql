-- Personal data masked in free text, one row per file, row, column and kind (NIP, NAMA): each
-- replacement is reported to the agency (its findings workbook, sheet "Data Pribadi", and
-- fct_temuan), never a silent change. What was masked is not here, only where.
{{ config(materialized='table') }}
{#-
  The datasets with a free-text column come from the var personal_data (core/standard.yaml),
  which dbt has while parsing, so each ref below is a dependency: a dataset added to the
  standard is reported here without a change to this model (its staging model selects
  _data_pribadi from latest_submission; checked on every run).
-#}
{%- set datasets = free_text_datasets() %}
{%- for dataset in datasets if execute %}
    {%- set columns = adapter.get_columns_in_relation(ref('stg_raw__' ~ dataset)) | map(attribute='name') | list %}
    {%- if '_data_pribadi' not in columns %}
        {{ exceptions.raise_compiler_error(
            'stg_raw__' ~ dataset ~ ': select _data_pribadi (what latest_submission masked in its free text)') }}
    {%- endif %}
{%- endfor %}
with masked as (
    {%- for dataset in datasets %}
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
    {%- if not datasets %}
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
