-- Every file received, loaded or quarantined.
select
    file_sha256,
    kode_instansi,
    dataset,
    file_name,
    archive_path,
    size_bytes,
    submitted_at,
    loaded_at,
    status,
    rows_read,
    rows_loaded,
    rows_rejected,
    reason
from {{ source('raw', 'load_log') }}
