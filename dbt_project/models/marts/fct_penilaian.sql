-- The appraisal that counts per employee and year (see int_penilaian_berlaku).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ remove_changed_nips(['pegawai', 'penilaian'], key='pegawai_key') }}"
) }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    {{ pseudonym('nip') }} as pegawai_key,
    tahun,
    kode_instansi_induk as kode_instansi,
    kode_instansi_pengirim,
    rating_hasil_kerja,
    rating_perilaku_kerja,
    predikat,
    predikat_instansi,
    predikat_instansi is null or predikat_instansi = predikat as predikat_sesuai,
    tanggal_penilaian
from {{ ref('int_penilaian_berlaku') }}
{{ changed_nips_filter('nip', 'tahun', ['pegawai', 'penilaian']) }}
