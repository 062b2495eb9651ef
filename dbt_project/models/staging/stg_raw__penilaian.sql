-- Appraisal rows of the latest submission per agency and year, with the predikat computed
-- from the two ratings (seed predikat_matrix) beside the one the agency sent.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kode_instansi', 'tahun'],
    on_schema_change='fail',
    pre_hook="{{ remove_withheld_pairs('penilaian') }}"
) }}
with latest as (
    {{ latest_submission(source('raw', 'penilaian'), 'penilaian') }}
)

select
    latest.file_sha256,
    latest.baris,
    latest.kode_instansi,
    latest.tahun_data as tahun,
    latest.nip,
    latest.rating_hasil_kerja,
    latest.rating_perilaku_kerja,
    matrix.predikat as predikat_dihitung,
    latest.predikat as predikat_instansi,
    latest.nip_penilai,
    latest.tanggal_penilaian,
    latest.submitted_at,
    latest.loaded_at,
    latest._data_pribadi,
    {{ load_watermark(source('raw', 'load_log')) }} as _dimuat_sampai
from latest
left join {{ ref('predikat_matrix') }} as matrix
    on latest.rating_hasil_kerja = matrix.rating_hasil_kerja
        and latest.rating_perilaku_kerja = matrix.rating_perilaku_kerja
