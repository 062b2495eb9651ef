-- Quarterly performance dialogue rows of the latest submission per agency and year.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'tahun'],
    on_schema_change='fail'
) }}
with latest as (
    {{ latest_submission(source('raw', 'dialog_kinerja'), 'dialog_kinerja') }}
)

select
    file_sha256,
    baris,
    kode_instansi,
    tahun_data as tahun,
    nip,
    cast(triwulan as integer) as triwulan,
    tanggal_dialog,
    nip_atasan,
    catatan,
    submitted_at,
    loaded_at,
    _data_pribadi,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from latest
