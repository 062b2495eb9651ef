-- Survey responses aggregated per agency, year and service unit: per-element sums and
-- counts of responses that scored the element, so IKM can be pooled at any level above.
select
    kode_instansi,
    tahun,
    coalesce(unit_layanan, '(tanpa unit)') as unit_layanan,
    count(*) as jumlah_responden,
    {{ ikm_element_aggregates() }}
from {{ ref('stg_raw__survei') }}
group by all
