{#-
  Incremental facts rebuild only the years that received data since their last build, from the
  datasets the fact depends on. Every incremental fact carries _dimuat_sampai: the latest load
  time in raw.load_log when it was built. On an incremental run, the years to rebuild are those
  of rows in files of `datasets` loaded after that. A full refresh (dbt build --full-refresh)
  rebuilds every year (needed after a registry or pseudonym-key change).
-#}
{% macro load_watermark() -%}
    (select max(loaded_at) from {{ source('raw', 'load_log') }})
{%- endmacro %}

{% macro changed_years_filter(year_column, datasets) -%}
    {%- if is_incremental() %}
    where {{ year_column }} in (
        with since as (select coalesce(max(_dimuat_sampai), timestamp '1900-01-01') as t from {{ this }}),
        new_files as (
            select file_sha256, kode_instansi, dataset from {{ source('raw', 'load_log') }}
            where loaded_at > (select t from since)
        )
        {%- for ds in datasets %}
        {% if not loop.first %}union {% endif %}select {{ row_year(ds) }} from {{ source('raw', ds) }}
            join new_files using (file_sha256, kode_instansi) where dataset = '{{ ds }}'
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}
