{#-
  Which files make up one submission (the standard: "the latest submission for an (agency,
  dataset, year) replaces all earlier ones"). An agency may send one submission as several
  files (parts of one export, or one file per unit), so a submission is not always one file:

  For each (agency, year), the files with rows for that year are ordered by submission time
  (then load time and sha256, so ties go to the file loaded last). A file starts a new
  submission when
    - it was submitted more than var('submission_gap_minutes') after the file before it
      (parts of one submission arrive together; a revision comes later), or
    - it repeats a row of the submission so far (the same row key, macro row_key: the same
      employee in a roster, the same respondent in a survey): parts of one submission hold
      different rows, a file that sends a row again is a revision, however soon it comes.
  Otherwise it is one more part of the submission before it.

  `rows`: a relation or CTE with the raw columns of `dataset`, `tahun_data` (row_year) and
  the file's `submitted_at` and `loaded_at`, loaded files only. Returns a subquery with one row
  per file-year: file_sha256, kode_instansi, tahun_data, submitted_at, loaded_at, kiriman_ke
  (the submission's number for that agency, dataset and year: 1 the first, the highest the
  latest) and waktu_kiriman (the submission's time: its latest file's).
  Only chains of several files close in time have their rows' keys compared, so a revision
  sent days later costs nothing here.
-#}
{% macro file_submissions(dataset, rows) %}
(
    with recursive files as (
        select file_sha256, kode_instansi, tahun_data, submitted_at, loaded_at
        from {{ rows }}
        group by all
    ),

    ordered as (
        select
            *,
            row_number() over by_time as urutan,
            coalesce(
                submitted_at - lag(submitted_at) over by_time
                > to_minutes(cast({{ var('submission_gap_minutes') }} as bigint)),
                true
            ) as jeda
        from files
        window by_time as (
            partition by kode_instansi, tahun_data
            order by submitted_at, loaded_at, file_sha256
        )
    ),

    chained as (
        select
            *,
            sum(cast(jeda as integer)) over (
                partition by kode_instansi, tahun_data order by urutan
            ) as rantai
        from ordered
    ),

    sized as (
        select
            *,
            count(*) over (partition by kode_instansi, tahun_data, rantai) as jumlah_file_rantai
        from chained
    ),

    -- the row keys of the files in chains of several files, once per file
    key_files as (
        select distinct
            c.kode_instansi,
            c.tahun_data,
            c.rantai,
            c.urutan,
            {{ row_key(dataset, 'r') }} as kunci
        from {{ rows }} as r
        inner join sized as c
            on r.file_sha256 = c.file_sha256
            and r.kode_instansi = c.kode_instansi
            and r.tahun_data = c.tahun_data
        where c.jumlah_file_rantai > 1
    ),

    -- per file: the latest earlier file of its chain that holds one of its row keys
    repeats as (
        select kode_instansi, tahun_data, urutan, max(urutan_sebelumnya) as ulang_dari
        from (
            select
                *,
                lag(urutan) over (
                    partition by kode_instansi, tahun_data, rantai, kunci order by urutan
                ) as urutan_sebelumnya
            from key_files
        )
        group by all
    ),

    flagged as (
        select sized.*, repeats.ulang_dari
        from sized
        left join repeats using (kode_instansi, tahun_data, urutan)
    ),

    -- walk each chain in order: `mulai` is the number of the first file of the current
    -- submission; a file that repeats a key of a file from `mulai` on starts a new one
    steps (kode_instansi, tahun_data, urutan, mulai) as (
        select kode_instansi, tahun_data, urutan, urutan
        from flagged
        where jeda
        union all
        select
            n.kode_instansi,
            n.tahun_data,
            n.urutan,
            case when n.ulang_dari >= s.mulai then n.urutan else s.mulai end
        from steps as s
        inner join flagged as n
            on n.kode_instansi = s.kode_instansi
            and n.tahun_data = s.tahun_data
            and n.urutan = s.urutan + 1
            and not n.jeda
    )

    select
        f.file_sha256,
        f.kode_instansi,
        f.tahun_data,
        f.submitted_at,
        f.loaded_at,
        dense_rank() over (
            partition by f.kode_instansi, f.tahun_data order by s.mulai
        ) as kiriman_ke,
        max(f.submitted_at) over (
            partition by f.kode_instansi, f.tahun_data, s.mulai
        ) as waktu_kiriman
    from flagged as f
    inner join steps as s using (kode_instansi, tahun_data, urutan)
)
{% endmacro %}

{#- The rows of `relation` (raw table of `dataset`) from loaded files, with their year and
    their file's submission and load time: the input of file_submissions. -#}
{% macro loaded_rows(relation, dataset) -%}
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
{%- endmacro %}
