-- Published indicators per region and year: each kabupaten/kota with a registered agency,
-- and the province over all its agencies (provincial OPD included).
with per_region as (
    select kode_wilayah, tahun, {{ indikator_basis_sums() }}
    from {{ ref('int_indikator_basis') }}
    where kode_wilayah <> kode_provinsi
    group by kode_wilayah, tahun

    union all

    select kode_provinsi as kode_wilayah, tahun, {{ indikator_basis_sums() }}
    from {{ ref('int_indikator_basis') }}
    group by kode_provinsi, tahun
)

select
    r.kode_wilayah,
    w.nama_wilayah,
    r.tahun,
    {{ indikator_measures() }},
    mutu.mutu as mutu_ikm,
    {{ indikator_siklus_measures('r.') }}
from per_region as r
inner join {{ ref('dim_wilayah') }} as w using (kode_wilayah)
left join {{ ref('ikm_mutu') }} as mutu
    on round({{ ikm_unrounded('r.') }}, 2) between mutu.ikm_bawah and mutu.ikm_atas
