-- Each quarter with a counted performance dialogue, per employee and year, at the home agency
-- (see int_dialog_berlaku).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    md5({{ pseudonym('nip') }} || ':' || tahun || ':' || triwulan) as dialog_key,
    {{ pseudonym('nip') }} as pegawai_key,
    tahun,
    triwulan,
    kode_instansi_induk as kode_instansi,
    kode_instansi_pengirim,
    tanggal_dialog,
    {{ pseudonym('nip_atasan') }} as atasan_key,
    catatan
from {{ ref('int_dialog_berlaku') }}
{{ changed_years_filter('tahun', ['pegawai', 'dialog_kinerja']) }}
