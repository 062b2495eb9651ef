-- One row per employee and year, at the home agency: of the agencies whose roster for that
-- year lists the employee, the one whose roster was submitted last. The employee's
-- attributes come from that roster row. jumlah_instansi > 1 marks a transfer.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
with listed as (
    select
        *,
        count(distinct kode_instansi) over (partition by nip, tahun) as jumlah_instansi,
        row_number() over (
            partition by nip, tahun
            order by submitted_at desc, loaded_at desc, kode_instansi asc, file_sha256 asc, baris asc
        ) as urutan
    from {{ ref('stg_raw__pegawai') }}
    {{ changed_years_filter('tahun', ['pegawai']) }}
)

select
    nip,
    tahun,
    kode_instansi as kode_instansi_induk,
    jenis_kelamin,
    tanggal_lahir,
    status_kepegawaian,
    golongan,
    jenis_jabatan,
    pendidikan,
    hukuman_disiplin,
    jumlah_instansi,
    {{ load_watermark() }} as _dimuat_sampai
from listed
where urutan = 1
