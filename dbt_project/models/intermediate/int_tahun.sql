-- Every year for which any roster or survey response was received.
select distinct tahun from {{ ref('int_roster_listing') }}
union
select distinct tahun from {{ ref('stg_raw__survei') }}
