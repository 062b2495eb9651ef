-- SKM responses of the latest submission per agency and year (year of tanggal_survei).
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['kode_instansi', 'tahun'], on_schema_change='fail') }}
with latest as (
    {{ latest_submission(source('raw', 'survei'), 'survei') }}
)

select
    file_sha256,
    baris,
    kode_instansi,
    tahun_data as tahun,
    id_responden,
    unit_layanan,
    tanggal_survei,
    jenis_kelamin,
    usia,
    pendidikan,
    pekerjaan,
    u1, u2, u3, u4, u5, u6, u7, u8, u9,
    saran,
    submitted_at,
    loaded_at,
    {{ load_watermark() }} as _dimuat_sampai
from latest
