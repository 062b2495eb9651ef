-- Roster rows of the latest submission per agency and year.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'tahun'],
    on_schema_change='fail',
    pre_hook="{{ remove_withheld_pairs('pegawai') }}"
) }}
with latest as (
    {{ latest_submission(source('raw', 'pegawai'), 'pegawai') }}
)

select
    file_sha256,
    baris,
    kode_instansi,
    tahun_data as tahun,
    nip,
    nama,
    unit_kerja,
    jenis_kelamin,
    tanggal_lahir,
    status_kepegawaian,
    golongan,
    jenis_jabatan,
    pendidikan,
    hukuman_disiplin,
    submitted_at,
    loaded_at,
    _data_pribadi,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from latest
