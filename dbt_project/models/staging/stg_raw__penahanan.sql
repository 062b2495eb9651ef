-- Submissions held instead of applied (one row per file and year), with the decision if any.
select
    file_sha256,
    kode_instansi,
    dataset,
    tahun,
    file_name,
    aturan,
    alasan,
    sebelum,
    sesudah,
    ditahan_pada,
    diterima_pada,
    diterima_oleh,
    diterima_pada is not null as diterima
from {{ source('raw', 'penahanan') }}
