-- Each SKM response of the latest submission per agency and year. Free-text suggestions and
-- respondent IDs are left out.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    -- no hash of the whole: agency, year, file and row (macro fact_row_key, yml)
    {{ fact_row_key('kode_instansi') }} as respons_key,
    kode_instansi,
    tahun,
    unit_layanan,
    tanggal_survei,
    jenis_kelamin,
    usia,
    pendidikan,
    pekerjaan,
    {{- ikm_element_columns() }}
from {{ ref('stg_raw__survei') }}
{{ changed_years_filter('tahun', ['survei']) }}
