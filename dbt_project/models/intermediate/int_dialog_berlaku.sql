-- The quarters with a counted performance dialogue, one row per employee, year and quarter.
-- A dialogue row counts only if its NIP is on the sending agency's roster for that year; it
-- counts at the home agency. A quarter sent twice (in one file, or by two agencies) counts
-- once: the row submitted last stands for it.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
with on_sender_roster as (
    select d.*
    from {{ ref('stg_raw__dialog_kinerja') }} as d
    inner join {{ ref('int_roster_listing') }} as r
        on d.kode_instansi = r.kode_instansi
            and d.tahun = r.tahun
            and d.nip = r.nip
    {{ changed_years_filter('d.tahun', ['pegawai', 'dialog_kinerja']) }}
),

latest as (
    select *
    from on_sender_roster
    qualify row_number() over (
            partition by nip, tahun, triwulan
            order by submitted_at desc, loaded_at desc, kode_instansi asc, file_sha256 desc, baris desc
        ) = 1
)

select
    latest.nip,
    latest.tahun,
    latest.triwulan,
    pt.kode_instansi_induk,
    latest.kode_instansi as kode_instansi_pengirim,
    latest.tanggal_dialog,
    latest.nip_atasan,
    latest.catatan,
    latest.file_sha256,
    latest.baris,
    {{ load_watermark() }} as _dimuat_sampai
from latest
inner join {{ ref('int_pegawai_tahun') }} as pt
    on latest.nip = pt.nip and latest.tahun = pt.tahun
