{#-
  Incremental facts rebuild only the years that received data since their last build.
  Every incremental fact carries _dimuat_sampai: the latest load time in raw.load_log when it
  was built. On an incremental run, the years to rebuild are those of rows in files loaded
  after that. A full refresh (dbt build --full-refresh) rebuilds every year.
-#}
{% macro load_watermark() -%}
    (select max(loaded_at) from {{ source('raw', 'load_log') }})
{%- endmacro %}

{% macro changed_years_filter(year_column='tahun') -%}
    {%- if is_incremental() %}
    where {{ year_column }} in (
        with since as (select coalesce(max(_dimuat_sampai), timestamp '1900-01-01') as t from {{ this }}),
        new_files as (
            select file_sha256, kode_instansi, dataset from {{ source('raw', 'load_log') }}
            where loaded_at > (select t from since)
        )
        select tahun from {{ source('raw', 'pegawai') }} join new_files using (file_sha256, kode_instansi) where dataset = 'pegawai'
        union select tahun from {{ source('raw', 'penilaian') }} join new_files using (file_sha256, kode_instansi) where dataset = 'penilaian'
        union select year(tanggal_selesai) from {{ source('raw', 'pelatihan') }} join new_files using (file_sha256, kode_instansi) where dataset = 'pelatihan'
        union select year(tanggal_survei) from {{ source('raw', 'survei') }} join new_files using (file_sha256, kode_instansi) where dataset = 'survei'
    )
    {%- endif %}
{%- endmacro %}
