{#-
  Incremental intermediate models and facts rebuild only the years that received data since
  their last build, from the datasets they depend on. Every incremental model carries
  _dimuat_sampai: the latest load time in the load log when it was built (load_watermark).

  The dataset staging tables (stg_raw__<dataset>) rewrite each (agency, year) that received a
  file, stamping its rows with the current watermark; so the years to rebuild are the years
  of staging rows stamped after this model's own watermark. Only the small staging columns
  tahun and _dimuat_sampai are read, never the raw tables. A full refresh
  (dbt build --full-refresh) rebuilds every year (needed after a registry or pseudonym-key
  change).
-#}
{% macro load_watermark(load_log=none, holds=none) -%}
    {#- staging passes source('raw', 'load_log'); every later layer reads the staging views.
        A hold or an acceptance of a held submission (raw.penahanan) changes what counts
        without a new file: its time is a load event too. -#}
    {%- if load_log is not none -%}
        {%- set log, holds = load_log, holds if holds is not none else source('raw', 'penahanan') -%}
    {%- else -%}
        {%- set log, holds = ref('stg_raw__load_log'), ref('stg_raw__penahanan') -%}
    {%- endif -%}
    greatest(
        (select max(loaded_at) from {{ log }}),
        (select max(greatest(ditahan_pada, diterima_pada)) from {{ holds }})
    )
{%- endmacro %}

{% macro changed_years_filter(year_column, datasets) -%}
    {#- the refs are taken outside the is_incremental() branch so that dbt records them -#}
    {%- set staged = [] -%}
    {%- for dataset in datasets -%}
        {%- do staged.append(ref('stg_raw__' ~ dataset)) -%}
    {%- endfor -%}
    {%- set holds = ref('stg_raw__penahanan') -%}
    {%- if is_incremental() %}
    where {{ year_column }} in (
        with since as (
            select coalesce(max(_dimuat_sampai), timestamp '1900-01-01') as t from {{ this }}
        )

        {%- for relation in staged %}
        {% if not loop.first %}union {% endif -%}
        select tahun from {{ relation }} where _dimuat_sampai > (select t from since)
        {%- endfor %}
        -- a year whose only submission was held or withdrawn has no staging rows left
        union select tahun from {{ holds }}
        where greatest(ditahan_pada, diterima_pada) > (select t from since)
    )
    {%- endif %}
{%- endmacro %}
