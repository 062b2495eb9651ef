-- Training rows that count: the NIP is on the sending agency's roster for the training's
-- year (year of tanggal_selesai). Counted at the employee's home agency.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    t.file_sha256,
    t.baris,
    t.nip,
    t.tahun,
    pt.kode_instansi_induk,
    t.kode_instansi as kode_instansi_pengirim,
    t.nama_pelatihan,
    t.jenis_pelatihan,
    t.tanggal_mulai,
    t.tanggal_selesai,
    t.jp,
    t.penyelenggara,
    t.kategori,
    {{ load_watermark() }} as _dimuat_sampai
from {{ ref('stg_raw__pelatihan') }} as t
inner join {{ ref('int_roster_listing') }} as r
    on t.kode_instansi = r.kode_instansi
        and t.tahun = r.tahun
        and t.nip = r.nip
inner join {{ ref('int_pegawai_tahun') }} as pt
    on t.nip = pt.nip and t.tahun = pt.tahun
{{ changed_years_filter('t.tahun', ['pegawai', 'pelatihan']) }}
