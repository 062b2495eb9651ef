-- Training rows of the latest submission per agency and year; a training's year is the
-- year of tanggal_selesai (a course that crosses New Year counts in the year it ends). An
-- empty kategori is teknis (var kategori_pelatihan_kosong).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'tahun'],
    on_schema_change='fail',
    pre_hook="{{ remove_withheld_pairs('pelatihan') }}"
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
    -- an empty kategori means teknis (submission-standard.md)
    coalesce(kategori, '{{ var("kategori_pelatihan_kosong") }}') as kategori,
    submitted_at,
    loaded_at,
    _data_pribadi,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from latest
