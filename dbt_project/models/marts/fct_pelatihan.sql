-- Each training that counts, at the employee's home agency, in the year it ended.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    -- no hash of the whole: sender, year, file and row (macro fact_row_key, yml)
    {{ fact_row_key('kode_instansi_pengirim') }} as pelatihan_key,
    {{ pseudonym('nip') }} as pegawai_key,
    tahun,
    kode_instansi_induk as kode_instansi,
    kode_instansi_pengirim,
    nama_pelatihan,
    jenis_pelatihan,
    tanggal_mulai,
    tanggal_selesai,
    jp,
    penyelenggara
from {{ ref('int_pelatihan_berlaku') }}
{{ changed_years_filter('tahun', ['pegawai', 'pelatihan']) }}
