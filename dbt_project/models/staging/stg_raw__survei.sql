-- SKM responses of the latest submission per agency and year (year of tanggal_survei).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'tahun'],
    on_schema_change='fail',
    pre_hook="{{ remove_withheld_pairs('survei') }}"
) }}
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
    {{- ikm_element_columns() }},
    saran,
    submitted_at,
    loaded_at,
    _data_pribadi,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from latest
