-- The organisation's own predikat per agency and year, from the registry.
select
    kode_instansi,
    tahun,
    predikat_organisasi
from {{ source('raw', 'predikat_organisasi') }}
