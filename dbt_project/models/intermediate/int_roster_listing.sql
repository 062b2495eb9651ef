-- Who is on which agency's roster in which year (latest roster submission of that agency
-- and year), one row per agency, year and NIP.
select
    kode_instansi,
    tahun,
    nip,
    max(submitted_at) as submitted_at,
    max(loaded_at) as loaded_at
from {{ ref('stg_raw__pegawai') }}
group by kode_instansi, tahun, nip
