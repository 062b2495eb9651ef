-- One row per employee and year at the home agency, with the appraisal and JP that count.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ remove_changed_nips(['pegawai', 'penilaian', 'pelatihan'], key='pegawai_key') }}"
) }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    {{ pseudonym('pt.nip') }} as pegawai_key,
    pt.tahun,
    pt.kode_instansi_induk as kode_instansi,
    pt.status_kepegawaian,
    pt.golongan,
    pt.jenis_jabatan,
    pt.pendidikan,
    pt.hukuman_disiplin,
    pt.jumlah_instansi,
    p.predikat is not null as dinilai,
    p.predikat,
    jp.total_jp,
    case when pt.status_kepegawaian = 'PNS' then jp.total_jp >= {{ var('min_jp_pns') }} end
        as pns_memenuhi_20jp
from (
    -- the employee-years to rebuild first, then their appraisal and JP
    select * from {{ ref('int_pegawai_tahun') }}
    {{ changed_nips_filter('nip', 'tahun', ['pegawai', 'penilaian', 'pelatihan']) }}
) as pt
left join {{ ref('int_penilaian_berlaku') }} as p on pt.nip = p.nip and pt.tahun = p.tahun
left join {{ ref('int_jp_pegawai_tahun') }} as jp on pt.nip = jp.nip and pt.tahun = jp.tahun
