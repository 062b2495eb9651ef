-- Findings: data that is valid on its own but inconsistent with other data. One row per
-- agency, year and rule, with how many rows and an explanation for the agency's data officer.
with predikat_tidak_sesuai as (
    select
        kode_instansi,
        tahun,
        'PREDIKAT_TIDAK_SESUAI' as aturan,
        count(*) as jumlah,
        'Predikat yang dikirim berbeda dengan predikat menurut matriks Hasil Kerja x Perilaku '
        || 'Kerja (PermenPANRB 6/2022). Yang dipakai adalah predikat dari kedua rating.' as penjelasan
    from {{ ref('stg_raw__penilaian') }}
    where predikat_instansi is not null and predikat_instansi <> predikat_dihitung
    group by all
),

penilaian_tanpa_roster as (
    select
        p.kode_instansi,
        p.tahun,
        'PENILAIAN_NIP_TIDAK_DI_ROSTER' as aturan,
        count(*) as jumlah,
        'NIP pada data penilaian tidak ada di daftar pegawai (roster) instansi ini untuk tahun '
        || 'yang sama, sehingga penilaian tidak dihitung. Kirim roster yang lengkap.' as penjelasan
    from {{ ref('stg_raw__penilaian') }} as p
    left join {{ ref('int_roster_listing') }} as r
        on p.kode_instansi = r.kode_instansi and p.tahun = r.tahun and p.nip = r.nip
    where r.nip is null
    group by all
),

pelatihan_tanpa_roster as (
    select
        t.kode_instansi,
        t.tahun,
        'PELATIHAN_NIP_TIDAK_DI_ROSTER' as aturan,
        count(*) as jumlah,
        'NIP pada data pelatihan tidak ada di roster instansi ini untuk tahun tanggal_selesai, '
        || 'sehingga JP pelatihan tersebut tidak dihitung.' as penjelasan
    from {{ ref('stg_raw__pelatihan') }} as t
    left join {{ ref('int_roster_listing') }} as r
        on t.kode_instansi = r.kode_instansi and t.tahun = r.tahun and t.nip = r.nip
    where r.nip is null
    group by all
),

pindah as (
    select
        r.kode_instansi,
        r.tahun,
        'PEGAWAI_DI_DUA_ROSTER' as aturan,
        count(*) as jumlah,
        'Pegawai tercantum di roster lebih dari satu instansi pada tahun yang sama (mutasi). '
        || 'Pegawai dihitung di instansi yang rosternya dikirim paling akhir.' as penjelasan
    from {{ ref('int_roster_listing') }} as r
    inner join {{ ref('int_pegawai_tahun') }} as pt
        on r.nip = pt.nip and r.tahun = pt.tahun
    where pt.jumlah_instansi > 1
    group by all
),

tanggal_lahir as (
    select
        kode_instansi,
        tahun,
        'TANGGAL_LAHIR_TIDAK_SESUAI_NIP' as aturan,
        count(distinct nip) as jumlah,
        'Untuk PNS, 8 digit pertama NIP adalah tanggal lahir (YYYYMMDD); tanggal_lahir di roster '
        || 'tidak sama dengan NIP. Periksa NIP atau tanggal lahir.' as penjelasan
    from {{ ref('stg_raw__pegawai') }}
    where status_kepegawaian = 'PNS' and left(nip, 8) <> strftime(tanggal_lahir, '%Y%m%d')
    group by all
),

distribusi as (
    select
        po.kode_instansi,
        po.tahun,
        po.predikat_organisasi,
        b.jumlah_dinilai,
        k.aturan_id,
        k.jenis_batas,
        k.batas_pct,
        k.keterangan,
        case
            when b.jumlah_dinilai > 0
                then 100.0 * ({{ appraised_with_any_of('k.predikat_pegawai', 'b.') }}) / b.jumlah_dinilai
        end as share_pct
    from {{ ref('stg_raw__predikat_organisasi') }} as po
    inner join {{ ref('int_indikator_basis') }} as b
        on po.kode_instansi = b.kode_instansi and po.tahun = b.tahun
    inner join {{ ref('kurva_distribusi') }} as k
        on po.predikat_organisasi = k.predikat_organisasi
),

kurva as (
    select
        kode_instansi,
        tahun,
        'KURVA_DISTRIBUSI' as aturan,
        count(*) as jumlah,
        'Distribusi predikat pegawai tidak sesuai kurva untuk predikat organisasi '
        || any_value(predikat_organisasi) || ': '
        || string_agg(
            keterangan || ' (sekarang ' || cast(round(share_pct, 2) as varchar) || '%)', '; '
            order by aturan_id
        ) as penjelasan
    from distribusi
    where
        jumlah_dinilai > 0
        and (
            (jenis_batas = 'paling_banyak' and share_pct > batas_pct)
            or (jenis_batas = 'paling_sedikit' and share_pct < batas_pct)
            or (jenis_batas = 'harus_ada' and share_pct <= batas_pct)
        )
    group by all
),

{%- for dataset, aturan, what in [
    ('dialog_kinerja', 'DIALOG_NIP_TIDAK_DI_ROSTER', 'dialog kinerja'),
    ('penghargaan', 'PENGHARGAAN_NIP_TIDAK_DI_ROSTER', 'penghargaan'),
] %}
{{ dataset }}_tanpa_roster as (
    select
        x.kode_instansi,
        x.tahun,
        '{{ aturan }}' as aturan,
        count(*) as jumlah,
        'NIP pada data {{ what }} tidak ada di roster instansi ini untuk tahun yang sama, '
        || 'sehingga baris tersebut tidak dihitung. Kirim roster yang lengkap.' as penjelasan
    from {{ ref('stg_raw__' ~ dataset) }} as x
    left join {{ ref('int_roster_listing') }} as r
        on x.kode_instansi = r.kode_instansi and x.tahun = r.tahun and x.nip = r.nip
    where r.nip is null
    group by all
),
{% endfor %}

penghargaan_tidak_selaras as (
    select
        kode_instansi_induk as kode_instansi,
        tahun,
        'PENGHARGAAN_TIDAK_SELARAS' as aturan,
        count(distinct nip) as jumlah,
        'Penghargaan tidak selaras dengan kinerja (PP 11/2017): pegawai menerima penghargaan pada '
        || 'tahun yang sama dengan predikat Butuh Perbaikan, Kurang/Misconduct atau Sangat Kurang, '
        || 'atau dengan hukuman disiplin sedang atau berat. Jumlah = pegawai penerima.' as penjelasan
    from {{ ref('int_penghargaan_berlaku') }}
    where not selaras
    group by all
),

all_findings as (
    select * from predikat_tidak_sesuai
    union all
    select * from penilaian_tanpa_roster
    union all
    select * from pelatihan_tanpa_roster
    union all
    select * from pindah
    union all
    select * from tanggal_lahir
    union all
    select * from kurva
    union all
    select * from dialog_kinerja_tanpa_roster
    union all
    select * from penghargaan_tanpa_roster
    union all
    select * from penghargaan_tidak_selaras
)

select
    kode_instansi,
    cast(tahun as integer) as tahun,
    aturan,
    cast(jumlah as bigint) as jumlah,
    penjelasan
from all_findings
