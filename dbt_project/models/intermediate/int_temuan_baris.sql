-- Every row behind a row-level finding: the agency, year and rule, the file and row as the
-- agency sees it, and the NIP (the working warehouse only: the agency's findings workbook
-- shows it masked). fct_temuan counts these rows; KURVA_DISTRIBUSI concerns a whole agency
-- and is computed there.
with predikat_tidak_sesuai as (
    select
        kode_instansi,
        tahun,
        'PREDIKAT_TIDAK_SESUAI' as aturan,
        file_sha256,
        baris,
        nip
    from {{ ref('stg_raw__penilaian') }}
    where predikat_instansi is not null and predikat_instansi <> predikat_dihitung
),

penilaian_tanpa_roster as (
    select
        p.kode_instansi,
        p.tahun,
        'PENILAIAN_NIP_TIDAK_DI_ROSTER' as aturan,
        p.file_sha256,
        p.baris,
        p.nip
    from {{ ref('stg_raw__penilaian') }} as p
    left join {{ ref('int_roster_listing') }} as r
        on p.kode_instansi = r.kode_instansi and p.tahun = r.tahun and p.nip = r.nip
    where r.nip is null
),

pelatihan_tanpa_roster as (
    select
        t.kode_instansi,
        t.tahun,
        'PELATIHAN_NIP_TIDAK_DI_ROSTER' as aturan,
        t.file_sha256,
        t.baris,
        t.nip
    from {{ ref('stg_raw__pelatihan') }} as t
    left join {{ ref('int_roster_listing') }} as r
        on t.kode_instansi = r.kode_instansi and t.tahun = r.tahun and t.nip = r.nip
    where r.nip is null
),

pindah as (
    select
        g.kode_instansi,
        g.tahun,
        'PEGAWAI_DI_DUA_ROSTER' as aturan,
        g.file_sha256,
        g.baris,
        g.nip
    from {{ ref('stg_raw__pegawai') }} as g
    inner join {{ ref('int_pegawai_tahun') }} as pt
        on g.nip = pt.nip and g.tahun = pt.tahun
    where pt.jumlah_instansi > 1
),

tanggal_lahir as (
    select
        kode_instansi,
        tahun,
        'TANGGAL_LAHIR_TIDAK_SESUAI_NIP' as aturan,
        file_sha256,
        baris,
        nip
    from {{ ref('stg_raw__pegawai') }}
    where status_kepegawaian = 'PNS' and left(nip, 8) <> strftime(tanggal_lahir, '%Y%m%d')
),

{%- for dataset, aturan in [
    ('dialog_kinerja', 'DIALOG_NIP_TIDAK_DI_ROSTER'),
    ('penghargaan', 'PENGHARGAAN_NIP_TIDAK_DI_ROSTER'),
] %}

{{ dataset }}_tanpa_roster as (
    select
        x.kode_instansi,
        x.tahun,
        '{{ aturan }}' as aturan,
        x.file_sha256,
        x.baris,
        x.nip
    from {{ ref('stg_raw__' ~ dataset) }} as x
    left join {{ ref('int_roster_listing') }} as r
        on x.kode_instansi = r.kode_instansi and x.tahun = r.tahun and x.nip = r.nip
    where r.nip is null
),
{%- endfor %}

-- one row per recipient (at the home agency) whose reward is not aligned with performance:
-- the first of their counted reward rows
penghargaan_tidak_selaras as (
    select
        kode_instansi_induk as kode_instansi,
        tahun,
        'PENGHARGAAN_TIDAK_SELARAS' as aturan,
        file_sha256,
        baris,
        nip
    from {{ ref('int_penghargaan_berlaku') }}
    where not selaras
    qualify row_number() over (partition by nip, tahun order by file_sha256, baris) = 1
)

select * from predikat_tidak_sesuai
union all
select * from dialog_kinerja_tanpa_roster
union all
select * from penghargaan_tanpa_roster
union all
select * from penghargaan_tidak_selaras
union all
select * from penilaian_tanpa_roster
union all
select * from pelatihan_tanpa_roster
union all
select * from pindah
union all
select * from tanggal_lahir
