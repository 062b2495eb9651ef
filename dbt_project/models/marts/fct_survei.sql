-- Each SKM response of the latest submission per agency and year. Free-text suggestions and
-- respondent IDs are left out.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='tahun', on_schema_change='fail') }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    md5(file_sha256 || ':' || baris) as respons_key,
    kode_instansi,
    tahun,
    unit_layanan,
    tanggal_survei,
    jenis_kelamin,
    usia,
    pendidikan,
    pekerjaan,
    u1, u2, u3, u4, u5, u6, u7, u8, u9
from {{ ref('stg_raw__survei') }}
{{ changed_years_filter('tahun', ['survei']) }}
