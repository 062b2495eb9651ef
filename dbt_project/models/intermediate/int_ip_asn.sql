-- IP ASN (Perban BKN 8/2019, domain-rules.md): one row per PNS (status on the home roster)
-- with a counted appraisal that year. Four dimensions, each from its point table (seeds
-- ip_asn_*): Kualifikasi from pendidikan and Disiplin from hukuman_disiplin on the home roster,
-- Kompetensi from the year's counted trainings by kategori, Kinerja from the predikat. The
-- kategori is read from the whole-number total (seed ip_asn_kategori). PPPK and PNS without a
-- counted appraisal get none.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ remove_changed_nips(['pegawai', 'penilaian', 'pelatihan']) }}"
) }}
with pegawai as (
    select *
    from {{ ref('int_pegawai_tahun') }}
    {{ changed_nips_filter('nip', 'tahun', ['pegawai', 'penilaian', 'pelatihan']) }}
),

pns as (
    select
        pegawai.nip,
        pegawai.tahun,
        pegawai.kode_instansi_induk,
        pegawai.pendidikan,
        pegawai.hukuman_disiplin,
        p.predikat
    from pegawai
    inner join {{ ref('int_penilaian_berlaku') }} as p
        on pegawai.nip = p.nip and pegawai.tahun = p.tahun
    where pegawai.status_kepegawaian = 'PNS'
),

pelatihan_per_kategori as (
    select
        t.nip,
        t.tahun,
        t.kategori,
        count(*) as jumlah_pelatihan,
        sum(t.jp) as jumlah_jp
    from {{ ref('int_pelatihan_berlaku') }} as t
    semi join pns on t.nip = pns.nip and t.tahun = pns.tahun
    group by all
),

kompetensi as (
    select
        t.nip,
        t.tahun,
        sum(k.poin) as skor
    from pelatihan_per_kategori as t
    inner join {{ ref('ip_asn_kompetensi') }} as k
        on t.kategori = k.kategori
            and (
                (k.jenis_syarat = 'jumlah_pelatihan' and t.jumlah_pelatihan >= k.batas)
                or (k.jenis_syarat = 'jumlah_jp' and t.jumlah_jp >= k.batas)
            )
    group by all
),

skor as (
    select
        pns.nip,
        pns.tahun,
        pns.kode_instansi_induk,
        coalesce(kual.poin, 0) as skor_kualifikasi,
        coalesce(kompetensi.skor, 0) as skor_kompetensi,
        coalesce(kin.poin, 0) as skor_kinerja,
        coalesce(dis.poin, 0) as skor_disiplin
    from pns
    left join {{ ref('ip_asn_kualifikasi') }} as kual on pns.pendidikan = kual.pendidikan
    left join kompetensi on pns.nip = kompetensi.nip and pns.tahun = kompetensi.tahun
    left join {{ ref('ip_asn_kinerja') }} as kin on pns.predikat = kin.predikat
    left join {{ ref('ip_asn_disiplin') }} as dis on pns.hukuman_disiplin = dis.hukuman_disiplin
)

select
    skor.nip,
    skor.tahun,
    skor.kode_instansi_induk,
    cast(skor.skor_kualifikasi as decimal(5, 2)) as skor_kualifikasi,
    cast(skor.skor_kompetensi as decimal(5, 2)) as skor_kompetensi,
    cast(skor.skor_kinerja as decimal(5, 2)) as skor_kinerja,
    cast(skor.skor_disiplin as decimal(5, 2)) as skor_disiplin,
    cast(
        skor.skor_kualifikasi + skor.skor_kompetensi + skor.skor_kinerja + skor.skor_disiplin
        as decimal(5, 2)
    ) as ip_asn,
    kat.kategori,
    {{ load_watermark() }} as _dimuat_sampai
from skor
left join {{ ref('ip_asn_kategori') }} as kat
    on round(skor.skor_kualifikasi + skor.skor_kompetensi + skor.skor_kinerja + skor.skor_disiplin)
        between kat.skor_bawah and kat.skor_atas
