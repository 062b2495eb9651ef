{#-
  The submission rule of the standard: for an agency, dataset and year, the latest submission
  replaces all earlier ones. `relation` is the raw table of `dataset`; a row's year is
  row_year(dataset).
  A file belongs to the years of the rows loaded from it; a quarantined file has no rows,
  so it replaces nothing. A submission may be several files (stg_raw__file_years.kiriman_ke,
  macro file_submissions: files sent close together, none of which mostly repeats the rows
  of the ones before); all its files count. Ties on submission time go to the file loaded last.
  A file-year held by the submission review (raw.penahanan) and not accepted by the operator
  does not count: the latest submission with a file-year that is not held counts, with those
  of its file-years that are not held (the review holds every file of a submission).
  Returns the rows of the counting files for each (agency, year), with submitted_at, every
  free-text column masked (NIPs and that agency's roster names of that year, macro
  masked_rows) and what was masked in `_data_pribadi`.
  In an incremental model (staging tables, delete+insert on kode_instansi and tahun) only the
  (agency, year) pairs that received a file since the model's last build (_dimuat_sampai,
  see load_watermark) are worked out again; the rule is per (agency, year), so no other
  pair can change.
-#}
{% macro latest_submission(relation, dataset) %}
    {#- the table's load watermark, read once when the model compiles (model_watermark) -#}
    {%- set watermark = model_watermark() -%}
    with all_rows as (
        select
            r.*,
            cast({{ row_year(dataset, 'r') }} as integer) as tahun_data,
            l.submitted_at,
            l.loaded_at
        from {{ relation }} as r
        inner join {{ source('raw', 'load_log') }} as l
            on l.file_sha256 = r.file_sha256
            and l.kode_instansi = r.kode_instansi
            and l.dataset = '{{ dataset }}'
            and l.status = 'loaded'
    ),

    held as (
        select file_sha256, kode_instansi, tahun as tahun_data
        from {{ source('raw', 'penahanan') }}
        where dataset = '{{ dataset }}' and diterima_pada is null
    ),

    rows_with_file as (
        select all_rows.* from all_rows
        {%- if is_incremental() %}
        semi join (
            -- the (agency, year) pairs of the files loaded since the last build: the load log
            -- is filtered first, so only those files' rows are read
            select distinct r.kode_instansi, cast({{ row_year(dataset, 'r') }} as integer) as tahun_data
            from {{ relation }} as r
            inner join (
                select file_sha256, kode_instansi from {{ source('raw', 'load_log') }}
                where dataset = '{{ dataset }}' and status = 'loaded' and loaded_at > {{ watermark }}
            ) as new_files using (file_sha256, kode_instansi)
            {%- if dataset != 'pegawai' %}
            union
            -- and the pairs whose roster arrived since then (its names are masked in free text)
            select distinct p.kode_instansi, cast(p.tahun as integer) as tahun_data
            from {{ source('raw', 'pegawai') }} as p
            inner join (
                select file_sha256, kode_instansi from {{ source('raw', 'load_log') }}
                where dataset = 'pegawai' and status = 'loaded' and loaded_at > {{ watermark }}
            ) as new_rosters using (file_sha256, kode_instansi)
            {%- endif %}
            union
            -- and the pairs whose held submission was held or accepted since then
            select kode_instansi, tahun as tahun_data from {{ source('raw', 'penahanan') }}
            where dataset = '{{ dataset }}' and greatest(ditahan_pada, diterima_pada) > {{ watermark }}
        ) as changed using (kode_instansi, tahun_data)
        {%- endif %}
    ),

    -- the submission of each file-year (stg_raw__file_years, macro file_submissions): the
    -- latest submission with a file-year not held counts, with its file-years not held
    latest_file as (
        select f.file_sha256, f.kode_instansi, f.tahun as tahun_data
        from {{ ref('stg_raw__file_years') }} as f
        anti join held
            on held.file_sha256 = f.file_sha256
            and held.kode_instansi = f.kode_instansi
            and held.tahun_data = f.tahun
        where f.dataset = '{{ dataset }}'
        qualify f.kiriman_ke = max(f.kiriman_ke) over (partition by f.kode_instansi, f.tahun)
    ),

    winning_rows as (
        select rows_with_file.*
        from rows_with_file
        inner join latest_file using (file_sha256, kode_instansi, tahun_data)
    ){{ masked_rows('winning_rows', dataset) }}

    select * from masked_rows
{% endmacro %}

{#-
  Pre-hook of the incremental staging tables: the (agency, year) pairs of `dataset` with a file
  held or withdrawn (raw.penahanan) since the table's last build are deleted first, then the
  build inserts what counts for them now. delete+insert alone deletes only the pairs it
  inserts rows for, so a pair whose only submission was held or withdrawn kept its old rows.
-#}
{% macro remove_withheld_pairs(dataset) %}
    {%- set watermark = model_watermark() -%}
    {%- if is_incremental() %}
    delete from {{ this }} as t
    using (
        select distinct kode_instansi, tahun from {{ source('raw', 'penahanan') }}
        where dataset = '{{ dataset }}' and greatest(ditahan_pada, diterima_pada) > {{ watermark }}
    ) as w
    where t.kode_instansi = w.kode_instansi and t.tahun = w.tahun
    {%- else %}
    select 1
    {%- endif %}
{% endmacro %}
