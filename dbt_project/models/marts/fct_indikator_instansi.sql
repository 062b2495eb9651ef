-- Published indicators per registered agency and year (submission-standard.md).
select
    b.kode_instansi,
    i.nama_instansi,
    b.kode_wilayah,
    b.tahun,
    {{ indikator_measures() }},
    mutu.mutu as mutu_ikm,
    {{ indikator_siklus_measures('b.') }}
from {{ ref('int_indikator_basis') }} as b
inner join {{ ref('stg_raw__instansi') }} as i using (kode_instansi)
left join {{ ref('ikm_mutu') }} as mutu
    on round({{ ikm_unrounded('b.') }}, 2) between mutu.ikm_bawah and mutu.ikm_atas
