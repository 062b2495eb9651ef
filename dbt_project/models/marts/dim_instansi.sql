-- Registered agencies (config/agencies.yaml) with their region.
select
    kode_instansi,
    nama_instansi,
    kode_wilayah,
    nama_wilayah,
    kode_provinsi,
    jenis_instansi,
    cara_kirim
from {{ ref('stg_raw__instansi') }}
