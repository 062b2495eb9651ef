-- Additive counts behind every published figure, per registered agency and year (a row for
-- every agency and year, zero where nothing was sent). Employees count at their home agency.
with pegawai as (
    select
        pt.kode_instansi_induk as kode_instansi,
        pt.tahun,
        count(*) as jumlah_pegawai,
        count(p.predikat) as jumlah_dinilai,
        {%- for code in predikat_codes() %}
        count(*) filter (where p.predikat = '{{ code }}') as n_{{ code | lower }},
        {%- endfor %}
        sum(jp.total_jp) as total_jp,
        count(*) filter (where pt.status_kepegawaian = 'PNS') as jumlah_pns,
        count(*) filter (
            where pt.status_kepegawaian = 'PNS' and jp.total_jp >= {{ var('min_jp_pns') }}
        ) as jumlah_pns_20jp
    from {{ ref('int_pegawai_tahun') }} as pt
    left join {{ ref('int_penilaian_berlaku') }} as p
        on pt.nip = p.nip and pt.tahun = p.tahun
    left join {{ ref('int_jp_pegawai_tahun') }} as jp
        on pt.nip = jp.nip and pt.tahun = jp.tahun
    group by all
),

ip_asn as (
    select
        kode_instansi_induk as kode_instansi,
        tahun,
        count(*) as jumlah_pns_ip_asn,
        {%- for k in ip_asn_kategori_codes() %}
        count(*) filter (where kategori = '{{ k }}') as n_ip_{{ k | lower }},
        {%- endfor %}
        sum(ip_asn) as total_ip_asn
    from {{ ref('int_ip_asn') }}
    group by all
),

triwulan_pegawai as (
    select
        nip,
        tahun,
        count(distinct triwulan) as jumlah_triwulan
    from {{ ref('int_dialog_berlaku') }}
    group by all
),

dialog as (
    select
        pt.kode_instansi_induk as kode_instansi,
        pt.tahun,
        count(*) filter (where d.jumlah_triwulan >= {{ var('triwulan_per_tahun') }})
            as jumlah_dialog_lengkap,
        sum(d.jumlah_triwulan) as total_triwulan_dialog
    from {{ ref('int_pegawai_tahun') }} as pt
    inner join triwulan_pegawai as d
        on pt.nip = d.nip and pt.tahun = d.tahun
    group by all
),

penghargaan as (
    select
        kode_instansi_induk as kode_instansi,
        tahun,
        count(distinct nip) as jumlah_penerima_penghargaan,
        count(distinct nip) filter (where selaras) as jumlah_penerima_selaras
    from {{ ref('int_penghargaan_berlaku') }}
    group by all
),

survei as (
    select
        kode_instansi,
        tahun,
        sum(jumlah_responden) as jumlah_responden,
        {%- for e in ikm_elements() %}
        sum(sum_{{ e }}) as sum_{{ e }},
        sum(n_{{ e }}) as n_{{ e }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_survei_unit_tahun') }}
    group by all
),

grid as (
    select
        i.kode_instansi,
        i.kode_wilayah,
        i.kode_provinsi,
        t.tahun
    from {{ ref('stg_raw__instansi') }} as i
    cross join {{ ref('int_tahun') }} as t
)

select
    grid.kode_instansi,
    grid.kode_wilayah,
    grid.kode_provinsi,
    grid.tahun,
    coalesce(pegawai.jumlah_pegawai, 0) as jumlah_pegawai,
    coalesce(pegawai.jumlah_dinilai, 0) as jumlah_dinilai,
    {%- for code in predikat_codes() %}
    coalesce(pegawai.n_{{ code | lower }}, 0) as n_{{ code | lower }},
    {%- endfor %}
    coalesce(pegawai.total_jp, 0) as total_jp,
    coalesce(pegawai.jumlah_pns, 0) as jumlah_pns,
    coalesce(pegawai.jumlah_pns_20jp, 0) as jumlah_pns_20jp,
    coalesce(survei.jumlah_responden, 0) as jumlah_responden,
    {%- for e in ikm_elements() %}
    coalesce(survei.sum_{{ e }}, 0) as sum_{{ e }},
    coalesce(survei.n_{{ e }}, 0) as n_{{ e }},
    {%- endfor %}
    coalesce(ip_asn.jumlah_pns_ip_asn, 0) as jumlah_pns_ip_asn,
    coalesce(ip_asn.total_ip_asn, 0) as total_ip_asn,
    {%- for k in ip_asn_kategori_codes() %}
    coalesce(ip_asn.n_ip_{{ k | lower }}, 0) as n_ip_{{ k | lower }},
    {%- endfor %}
    coalesce(dialog.jumlah_dialog_lengkap, 0) as jumlah_dialog_lengkap,
    coalesce(dialog.total_triwulan_dialog, 0) as total_triwulan_dialog,
    coalesce(penghargaan.jumlah_penerima_penghargaan, 0) as jumlah_penerima_penghargaan,
    coalesce(penghargaan.jumlah_penerima_selaras, 0) as jumlah_penerima_selaras
from grid
left join pegawai using (kode_instansi, tahun)
left join survei using (kode_instansi, tahun)
left join ip_asn using (kode_instansi, tahun)
left join dialog using (kode_instansi, tahun)
left join penghargaan using (kode_instansi, tahun)
