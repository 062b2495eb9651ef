-- The appraisal that counts for each employee and year. A row counts only if its NIP is on
-- the sending agency's roster for that year; if several count (two agencies appraised the
-- employee), the one submitted last counts. It is counted at the home agency.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ remove_changed_nips(['pegawai', 'penilaian']) }}"
) }}
with on_sender_roster as (
    select p.*
    from {{ ref('stg_raw__penilaian') }} as p
    inner join {{ ref('int_roster_listing') }} as r
        on p.kode_instansi = r.kode_instansi
            and p.tahun = r.tahun
            and p.nip = r.nip
    {{ changed_nips_filter('p.nip', 'p.tahun', ['pegawai', 'penilaian']) }}
),

latest as (
    select *
    from on_sender_roster
    qualify row_number() over (
            partition by nip, tahun
            order by submitted_at desc, loaded_at desc, kode_instansi asc, file_sha256 desc, baris desc
        ) = 1
)

select
    latest.nip,
    latest.tahun,
    pt.kode_instansi_induk,
    latest.kode_instansi as kode_instansi_pengirim,
    latest.rating_hasil_kerja,
    latest.rating_perilaku_kerja,
    latest.predikat_dihitung as predikat,
    latest.predikat_instansi,
    latest.tanggal_penilaian,
    latest.file_sha256,
    latest.baris,
    {{ load_watermark() }} as _dimuat_sampai
from latest
inner join {{ ref('int_pegawai_tahun') }} as pt
    on latest.nip = pt.nip and latest.tahun = pt.tahun
