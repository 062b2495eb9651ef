-- Total JP per employee and year, 0 for employees with no counted training.
select
    pt.nip,
    pt.tahun,
    coalesce(sum(t.jp), 0) as total_jp,
    count(t.jp) as jumlah_pelatihan
from {{ ref('int_pegawai_tahun') }} as pt
left join {{ ref('int_pelatihan_berlaku') }} as t
    on t.nip = pt.nip and t.tahun = pt.tahun
group by pt.nip, pt.tahun
