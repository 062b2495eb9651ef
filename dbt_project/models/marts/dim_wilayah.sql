-- Regions (Kemendagri codes): the provinces and kabupaten/kota of the region seed, and each
-- registered kabupaten/kota code the seed lacks yet (a new regency), under the provisional
-- name stg_raw__instansi gives it.
select
    kode_wilayah,
    nama_wilayah,
    jenis_wilayah,
    kode_provinsi
from {{ ref('wilayah') }}

union all

select distinct
    i.kode_wilayah,
    i.nama_wilayah,
    {{ jenis_wilayah_dari_kode('i.kode_wilayah') }} as jenis_wilayah,
    i.kode_provinsi
from {{ ref('stg_raw__instansi') }} as i
where not exists (
        select 1 from {{ ref('wilayah') }} as w
        where w.kode_wilayah = i.kode_wilayah
    )
