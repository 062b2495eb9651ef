-- One row per employee, pseudonymous: pegawai_key is a keyed hash of the NIP. No NIP, no
-- name, and of the birth date only the year. Attributes from the latest year on record.
select
    {{ pseudonym('nip') }} as pegawai_key,
    jenis_kelamin,
    year(tanggal_lahir) as tahun_lahir
from {{ ref('int_pegawai_tahun') }}
qualify row_number() over (partition by nip order by tahun desc) = 1
