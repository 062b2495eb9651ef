-- Registered agencies with their region. A kabupaten/kota code the region seed lacks yet (a
-- new regency, accepted by the registry with a warning) gets a provisional name that says so,
-- and its province from the code.
select
    i.kode_instansi,
    i.nama_instansi,
    i.kode_wilayah,
    coalesce(w.nama_wilayah, {{ nama_wilayah_sementara('i.kode_wilayah') }}) as nama_wilayah,
    coalesce(w.kode_provinsi, left(i.kode_wilayah, 2)) as kode_provinsi,
    i.jenis_instansi,
    i.cara_kirim
from {{ source('raw', 'instansi') }} as i
left join {{ ref('wilayah') }} as w using (kode_wilayah)
