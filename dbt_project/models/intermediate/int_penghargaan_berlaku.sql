-- Reward rows that count (NIP on the sender's roster for that year), at the home agency, each
-- with whether it is aligned with performance (domain-rules.md, penghargaan): it is not when
-- the recipient's predikat that year (the counted appraisal) or disciplinary penalty that year
-- (home roster) is listed in seed penghargaan_tidak_selaras. A recipient without a counted
-- appraisal is judged on the penalty alone.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
with counted as (
    select h.*
    from {{ ref('stg_raw__penghargaan') }} as h
    inner join {{ ref('int_roster_listing') }} as r
        on h.kode_instansi = r.kode_instansi
            and h.tahun = r.tahun
            and h.nip = r.nip
    {{ changed_years_filter('h.tahun', ['pegawai', 'penilaian', 'penghargaan']) }}
),

tidak_selaras_predikat as (
    select nilai as predikat from {{ ref('penghargaan_tidak_selaras') }}
    where kolom = 'predikat'
),

tidak_selaras_hukuman as (
    select nilai as hukuman_disiplin from {{ ref('penghargaan_tidak_selaras') }}
    where kolom = 'hukuman_disiplin'
)

select
    counted.file_sha256,
    counted.baris,
    counted.nip,
    counted.tahun,
    pt.kode_instansi_induk,
    counted.kode_instansi as kode_instansi_pengirim,
    counted.jenis_penghargaan,
    counted.tanggal,
    counted.keterangan,
    p.predikat,
    pt.hukuman_disiplin,
    bad_predikat.predikat is null and bad_hukuman.hukuman_disiplin is null as selaras,
    {{ load_watermark() }} as _dimuat_sampai
from counted
inner join {{ ref('int_pegawai_tahun') }} as pt
    on counted.nip = pt.nip and counted.tahun = pt.tahun
left join {{ ref('int_penilaian_berlaku') }} as p
    on counted.nip = p.nip and counted.tahun = p.tahun
left join tidak_selaras_predikat as bad_predikat
    on p.predikat = bad_predikat.predikat
left join tidak_selaras_hukuman as bad_hukuman
    on pt.hukuman_disiplin = bad_hukuman.hukuman_disiplin
