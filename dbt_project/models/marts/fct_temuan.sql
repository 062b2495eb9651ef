-- Findings: data that is valid on its own but inconsistent with other data. One row per
-- agency, year and rule, with how many rows and an explanation for the agency's data officer.
with penjelasan (aturan, penjelasan) as (
    values
    (
        'PREDIKAT_TIDAK_SESUAI',
        'Predikat yang dikirim berbeda dengan predikat menurut matriks Hasil Kerja x Perilaku '
        || 'Kerja (PermenPANRB 6/2022). Yang dipakai adalah predikat dari kedua rating.'
    ),
    (
        'PENILAIAN_NIP_TIDAK_DI_ROSTER',
        'NIP pada data penilaian tidak ada di daftar pegawai (roster) instansi ini untuk tahun '
        || 'yang sama, sehingga penilaian tidak dihitung. Kirim roster yang lengkap.'
    ),
    (
        'PELATIHAN_NIP_TIDAK_DI_ROSTER',
        'NIP pada data pelatihan tidak ada di roster instansi ini untuk tahun tanggal_selesai, '
        || 'sehingga JP pelatihan tersebut tidak dihitung.'
    ),
    (
        'PEGAWAI_DI_DUA_ROSTER',
        'Pegawai tercantum di roster lebih dari satu instansi pada tahun yang sama (mutasi). '
        || 'Pegawai dihitung di instansi yang rosternya dikirim paling akhir.'
    ),
    (
        'TANGGAL_LAHIR_TIDAK_SESUAI_NIP',
        'Untuk PNS, 8 digit pertama NIP adalah tanggal lahir (YYYYMMDD); tanggal_lahir di roster '
        || 'tidak sama dengan NIP. Periksa NIP atau tanggal lahir.'
    ),
    (
        'DIALOG_NIP_TIDAK_DI_ROSTER',
        'NIP pada data dialog kinerja tidak ada di roster instansi ini untuk tahun yang sama, '
        || 'sehingga dialog tersebut tidak dihitung. Kirim roster yang lengkap.'
    ),
    (
        'PENGHARGAAN_NIP_TIDAK_DI_ROSTER',
        'NIP pada data penghargaan tidak ada di roster instansi ini untuk tahun yang sama, '
        || 'sehingga penghargaan tersebut tidak dihitung. Kirim roster yang lengkap.'
    ),
    (
        'PENGHARGAAN_TIDAK_SELARAS',
        'Penghargaan tidak selaras dengan kinerja (PP 11/2017): pegawai menerima penghargaan pada '
        || 'tahun yang sama dengan predikat Butuh Perbaikan, Kurang/Misconduct atau Sangat Kurang, '
        || 'atau dengan hukuman disiplin sedang atau berat. Jumlah = pegawai penerima.'
    )
),

-- the row-level rules: their rows are in int_temuan_baris (a birth date finding counts NIPs)
baris as (
    select
        b.kode_instansi,
        b.tahun,
        b.aturan,
        case
            when b.aturan = 'TANGGAL_LAHIR_TIDAK_SESUAI_NIP' then count(distinct b.nip)
            else count(*)
        end as jumlah,
        any_value(p.penjelasan) as penjelasan
    from {{ ref('int_temuan_baris') }} as b
    inner join penjelasan as p on b.aturan = p.aturan
    group by b.kode_instansi, b.tahun, b.aturan
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

nip_ganda as (
    select
        kode_instansi,
        tahun,
        'NIP_GANDA_DI_ROSTER' as aturan,
        count(*) as jumlah,
        'NIP yang sama tercantum lebih dari sekali dalam roster yang dikirim untuk tahun ini; '
        || 'pegawai tetap dihitung sekali. Perbaiki roster dan kirim ulang.' as penjelasan
    from (
        select
            kode_instansi,
            tahun,
            nip
        from {{ ref('stg_raw__pegawai') }}
        group by all
        having count(*) > 1
    ) as ganda
    group by all
),

data_pribadi as (
    select
        kode_instansi,
        tahun,
        aturan,
        count(*) as jumlah,
        case any_value(jenis)
            when 'NIP' then 'NIP tertulis di kolom teks bebas ('
            else 'Nama pegawai dari roster instansi ini tertulis di kolom teks bebas ('
        end
        || string_agg(distinct dataset || '.' || kolom, ', ' order by dataset || '.' || kolom)
        || '). Di data yang dipublikasikan diganti dengan '
        || case any_value(jenis)
            when 'NIP' then '{{ personal_data_def("nip_token") }}'
            else '{{ personal_data_def("name_token") }}'
        end
        || '; data asli tetap di arsip. Daftar file, baris dan kolom ada di sheet Data Pribadi. '
        || 'Jangan menulis NIP atau nama di kolom teks bebas.' as penjelasan
    from {{ ref('int_temuan_data_pribadi') }}
    group by kode_instansi, tahun, aturan
),

all_findings as (
    select * from baris
    union all
    select * from nip_ganda
    union all
    select * from kurva
    union all
    select * from data_pribadi
)

select
    kode_instansi,
    cast(tahun as integer) as tahun,
    aturan,
    cast(jumlah as bigint) as jumlah,
    penjelasan
from all_findings
