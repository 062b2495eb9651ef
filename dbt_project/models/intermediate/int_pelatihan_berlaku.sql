-- Training rows that count: the NIP is on the sending agency's roster for the training's
-- year (year of tanggal_selesai). Counted at the employee's home agency.
-- A view, not a table (issue 18): its rows are stg_raw__pelatihan's, filtered, and each
-- consumer (fct_pelatihan, int_jp_pegawai_tahun, int_ip_asn) reads only the years it rebuilds;
-- a table here was a third copy of every training row.
{{ config(materialized='view') }}
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
    t.kategori
from {{ ref('stg_raw__pelatihan') }} as t
inner join {{ ref('int_roster_listing') }} as r
    on t.kode_instansi = r.kode_instansi
        and t.tahun = r.tahun
        and t.nip = r.nip
inner join {{ ref('int_pegawai_tahun') }} as pt
    on t.nip = pt.nip and t.tahun = pt.tahun
