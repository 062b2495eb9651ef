-- Total JP per employee and year, 0 for employees with no counted training.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    pt.nip,
    pt.tahun,
    coalesce(sum(t.jp), 0) as total_jp,
    count(t.jp) as jumlah_pelatihan,
    {{ load_watermark() }} as _dimuat_sampai
from {{ ref('int_pegawai_tahun') }} as pt
left join {{ ref('int_pelatihan_berlaku') }} as t
    on pt.nip = t.nip and pt.tahun = t.tahun
{{ changed_years_filter('pt.tahun', ['pegawai', 'pelatihan']) }}
group by pt.nip, pt.tahun
