-- Data quality per registered agency and year, for the bureau and the report: what arrived,
-- when, how much was rejected, how many findings. A file counts for every year it has rows
-- for; quarantined files (no rows, so no year) are counted per agency in every year.
with files as (
    select
        fy.kode_instansi,
        cast(fy.tahun as integer) as tahun,
        fy.dataset,
        l.submitted_at,
        l.rows_read,
        l.rows_rejected
    from {{ ref('stg_raw__file_years') }} as fy
    inner join {{ ref('stg_raw__load_log') }} as l
        on
            fy.file_sha256 = l.file_sha256
            and fy.kode_instansi = l.kode_instansi
            and fy.dataset = l.dataset
),

per_dataset as (
    select
        kode_instansi,
        tahun,
        dataset,
        min(submitted_at) as pertama_dikirim
    from files
    group by all
),

per_year as (
    select
        kode_instansi,
        tahun,
        count(*) as jumlah_file,
        sum(rows_read) as baris_dibaca,
        sum(rows_rejected) as baris_ditolak,
        max(submitted_at) as terakhir_dikirim
    from files
    group by all
),

on_time as (
    select
        kode_instansi,
        tahun,
        count(*) as jumlah_dataset,
        max(pertama_dikirim) as lengkap_pada
    from per_dataset
    group by all
),

quarantined as (
    select
        kode_instansi,
        count(*) as file_dikarantina
    from {{ ref('stg_raw__load_log') }}
    where status = 'quarantined'
    group by all
),

findings as (
    select
        kode_instansi,
        tahun,
        sum(jumlah) as jumlah_temuan
    from {{ ref('fct_temuan') }}
    group by all
)

select
    i.kode_instansi,
    i.nama_instansi,
    i.kode_wilayah,
    t.tahun,
    coalesce(o.jumlah_dataset, 0) as jumlah_dataset_diterima,
    coalesce(p.jumlah_file, 0) as jumlah_file,
    coalesce(q.file_dikarantina, 0) as file_dikarantina,
    coalesce(p.baris_dibaca, 0) as baris_dibaca,
    coalesce(p.baris_ditolak, 0) as baris_ditolak,
    case
        when p.baris_dibaca > 0
            then cast(round(100.0 * p.baris_ditolak / p.baris_dibaca, 2) as decimal(5, 2))
    end as pct_baris_ditolak,
    p.terakhir_dikirim,
    coalesce(
        o.jumlah_dataset = {{ submission_datasets() | length }}
        and o.lengkap_pada <= make_date(
            t.tahun + 1, {{ var('batas_kirim_bulan') }}, {{ var('batas_kirim_hari') }}
        ) + interval 1 day,
        false
    ) as tepat_waktu,
    coalesce(f.jumlah_temuan, 0) as jumlah_temuan
from {{ ref('stg_raw__instansi') }} as i
cross join {{ ref('int_tahun') }} as t
left join on_time as o on i.kode_instansi = o.kode_instansi and t.tahun = o.tahun
left join per_year as p on i.kode_instansi = p.kode_instansi and t.tahun = p.tahun
left join quarantined as q on i.kode_instansi = q.kode_instansi
left join findings as f on i.kode_instansi = f.kode_instansi and t.tahun = f.tahun
