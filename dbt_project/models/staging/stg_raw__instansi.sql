-- Registered agencies with their region.
select
    i.kode_instansi,
    i.nama_instansi,
    i.kode_wilayah,
    w.nama_wilayah,
    w.kode_provinsi,
    i.jenis_instansi,
    i.cara_kirim
from {{ source('raw', 'instansi') }} as i
left join {{ ref('wilayah') }} as w using (kode_wilayah)
