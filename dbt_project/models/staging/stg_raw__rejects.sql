-- Rejected rows with their reasons (for the agencies' findings files).
select
    file_sha256,
    kode_instansi,
    dataset,
    file_name,
    baris,
    kolom,
    nilai,
    aturan,
    alasan
from {{ source('raw', 'rejects') }}
