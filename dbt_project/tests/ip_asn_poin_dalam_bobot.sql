-- The most points a PNS can get in each IP ASN dimension (from its point table) equals the
-- dimension's weight (seed ip_asn_bobot, Perban BKN 8/2019): a row is a dimension that does not.
{{ config(meta={'description': 'Poin tertinggi tiap dimensi IP ASN di tabel poinnya sama dengan bobot dimensi itu (Perban BKN 8/2019), sehingga IP ASN tidak pernah melebihi 100.'}) }}
with terbanyak as (
    select 'kualifikasi' as dimensi, max(poin) as poin from {{ ref('ip_asn_kualifikasi') }}
    union all
    select 'kompetensi', sum(poin) from {{ ref('ip_asn_kompetensi') }}
    union all
    select 'kinerja', max(poin) from {{ ref('ip_asn_kinerja') }}
    union all
    select 'disiplin', max(poin) from {{ ref('ip_asn_disiplin') }}
)

select b.dimensi, b.bobot_pct, t.poin
from {{ ref('ip_asn_bobot') }} as b
full outer join terbanyak as t using (dimensi)
where t.poin is distinct from b.bobot_pct
