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

  `relation`: the raw table of `dataset`. Returns a subquery with one row per loaded file and
  year it has rows for: file_sha256, kode_instansi, tahun, jumlah_baris, jumlah_nip (null for
  a dataset without NIPs), kiriman_ke (the submission's number for that agency, dataset and
  year: 1 the first, the highest the latest) and waktu_kiriman (the submission's time: its
  latest file's). Used once, by stg_raw__file_years; latest_submission reads that table.
  Row keys are compared only in chains of several files sent close together, and only the
  keys found in two files are walked in order, so parts that repeat nothing cost one hash
  aggregation and a revision sent days later costs nothing here.
-#}
{% macro file_submissions(dataset, relation, has_nip) %}
(
    with recursive counted as (
        select
            r.file_sha256,
            r.kode_instansi,
            cast({{ row_year(dataset, 'r') }} as integer) as tahun,
            count(*) as jumlah_baris,
            {{ 'count(distinct r.nip)' if has_nip else 'cast(null as bigint)' }} as jumlah_nip
        from {{ relation }} as r
        group by all
    ),

    files as (
        select counted.*, l.submitted_at, l.loaded_at
        from counted
        inner join {{ source('raw', 'load_log') }} as l
            on
                counted.file_sha256 = l.file_sha256
                and counted.kode_instansi = l.kode_instansi
                and l.dataset = '{{ dataset }}'
                and l.status = 'loaded'
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
            partition by kode_instansi, tahun
            order by submitted_at, loaded_at, file_sha256
        )
    ),

    chained as (
        select
            *,
            sum(cast(jeda as integer)) over (
                partition by kode_instansi, tahun order by urutan
            ) as rantai
        from ordered
    ),

    multi as (
        select file_sha256, kode_instansi, tahun, urutan, rantai
        from chained
        qualify count(*) over (partition by kode_instansi, tahun, rantai) > 1
    ),

    -- each row key of a file in a chain of several files (a 64-bit hash of the key columns)
    key_files as materialized (
        select
            m.kode_instansi,
            m.tahun,
            m.rantai,
            m.urutan,
            hash({{ row_key(dataset, 'r') }}) as kunci
        from {{ relation }} as r
        inner join multi as m
            on
                r.file_sha256 = m.file_sha256
                and r.kode_instansi = m.kode_instansi
                and cast({{ row_year(dataset, 'r') }} as integer) = m.tahun
    ),

    -- the keys found in two files or more of one chain (usually none)
    repeated as (
        select kode_instansi, tahun, rantai, kunci
        from key_files
        group by all
        having min(urutan) < max(urutan)
    ),

    -- per file: the latest earlier file of its chain that holds one of its row keys
    repeats as (
        select kode_instansi, tahun, urutan, max(urutan_sebelumnya) as ulang_dari
        from (
            select
                k.*,
                lag(k.urutan) over (
                    partition by k.kode_instansi, k.tahun, k.rantai, k.kunci order by k.urutan
                ) as urutan_sebelumnya
            from (select distinct * from key_files semi join repeated using (kode_instansi, tahun, rantai, kunci)) as k
        )
        group by all
    ),

    flagged as (
        select chained.*, repeats.ulang_dari
        from chained
        left join repeats using (kode_instansi, tahun, urutan)
    ),

    -- walk each chain in order: `mulai` is the number of the first file of the current
    -- submission; a file that repeats a key of a file from `mulai` on starts a new one
    steps (kode_instansi, tahun, urutan, mulai) as (
        select kode_instansi, tahun, urutan, urutan
        from flagged
        where jeda
        union all
        select
            n.kode_instansi,
            n.tahun,
            n.urutan,
            case when n.ulang_dari >= s.mulai then n.urutan else s.mulai end
        from steps as s
        inner join flagged as n
            on
                s.kode_instansi = n.kode_instansi
                and s.tahun = n.tahun
                and n.urutan = s.urutan + 1
                and not n.jeda
    )

    select
        f.file_sha256,
        f.kode_instansi,
        f.tahun,
        f.jumlah_baris,
        f.jumlah_nip,
        dense_rank() over (
            partition by f.kode_instansi, f.tahun order by s.mulai
        ) as kiriman_ke,
        max(f.submitted_at) over (
            partition by f.kode_instansi, f.tahun, s.mulai
        ) as waktu_kiriman
    from flagged as f
    inner join steps as s using (kode_instansi, tahun, urutan)
)
{% endmacro %}
