-- Every year for which any roster or survey response was received.
select tahun
from {{ ref('int_tahun') }}
