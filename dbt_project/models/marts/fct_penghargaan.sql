-- Each counted reward, at the recipient's home agency, with whether it is aligned with
-- performance (see int_penghargaan_berlaku).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    {{ fact_row_key('kode_instansi_pengirim') }} as penghargaan_key,
    {{ pseudonym('nip') }} as pegawai_key,
    tahun,
    kode_instansi_induk as kode_instansi,
    kode_instansi_pengirim,
    jenis_penghargaan,
    tanggal,
    keterangan,
    predikat,
    hukuman_disiplin,
    selaras
from {{ ref('int_penghargaan_berlaku') }}
{{ changed_years_filter('tahun', ['pegawai', 'penilaian', 'penghargaan']) }}
