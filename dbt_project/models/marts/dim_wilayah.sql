-- Regions (Kemendagri codes): provinces and kabupaten/kota.
select
    kode_wilayah,
    nama_wilayah,
    jenis_wilayah,
    kode_provinsi
from {{ ref('wilayah') }}
