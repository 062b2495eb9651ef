-- Reward rows of the latest submission per agency and year.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'tahun'],
    on_schema_change='fail'
) }}
with latest as (
    {{ latest_submission(source('raw', 'penghargaan'), 'penghargaan') }}
)

select
    file_sha256,
    baris,
    kode_instansi,
    tahun_data as tahun,
    nip,
    jenis_penghargaan,
    tanggal,
    keterangan,
    submitted_at,
    loaded_at,
    _data_pribadi,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from latest
