-- Who is on which agency's roster in which year (latest roster submission of that agency
-- and year), one row per agency, year and NIP.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    kode_instansi,
    tahun,
    nip,
    max(submitted_at) as submitted_at,
    max(loaded_at) as loaded_at,
    {{ load_watermark() }} as _dimuat_sampai
from {{ ref('stg_raw__pegawai') }}
{{ changed_years_filter('tahun', ['pegawai']) }}
group by kode_instansi, tahun, nip
