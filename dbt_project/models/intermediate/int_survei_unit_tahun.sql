-- Survey responses aggregated per agency, year and service unit: per-element sums and
-- counts of responses that scored the element, so IKM can be pooled at any level above.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='tahun',
    on_schema_change='fail'
) }}
select
    kode_instansi,
    tahun,
    coalesce(unit_layanan, '(tanpa unit)') as unit_layanan,
    count(*) as jumlah_responden,
    {{ ikm_element_aggregates() }},
    {{ load_watermark() }} as _dimuat_sampai
from {{ ref('stg_raw__survei') }}
{{ changed_years_filter('tahun', ['survei']) }}
group by all
