-- Training rows of the latest submission per agency and year; a training's year is the
-- year of tanggal_selesai (a course that crosses New Year counts in the year it ends).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'tahun'],
    on_schema_change='fail'
) }}
with latest as (
    {{ latest_submission(source('raw', 'pelatihan'), 'pelatihan') }}
)

select
    file_sha256,
    baris,
    kode_instansi,
    tahun_data as tahun,
    nip,
    nama_pelatihan,
    jenis_pelatihan,
    tanggal_mulai,
    tanggal_selesai,
    jp,
    penyelenggara,
    submitted_at,
    loaded_at,
    _data_pribadi,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from latest
