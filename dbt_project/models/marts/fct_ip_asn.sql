-- IP ASN per PNS and year: the four dimension scores, the total and the kategori (see int_ip_asn).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ remove_changed_nips(['pegawai', 'penilaian', 'pelatihan'], key='pegawai_key') }}"
) }}
select
    {{ load_watermark() }} as _dimuat_sampai,
    {{ pseudonym('nip') }} as pegawai_key,
    tahun,
    kode_instansi_induk as kode_instansi,
    skor_kualifikasi,
    skor_kompetensi,
    skor_kinerja,
    skor_disiplin,
    ip_asn,
    kategori
from {{ ref('int_ip_asn') }}
{{ changed_nips_filter('nip', 'tahun', ['pegawai', 'penilaian', 'pelatihan']) }}
