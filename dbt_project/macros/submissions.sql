{#-
  Which files make up one submission (the standard: "the latest submission for an (agency,
  dataset, year) replaces all earlier ones"). An agency may send one submission as several
  files (parts of one export, or one file per unit), so a submission is not always one file:

  For each (agency, year), the files with rows for that year are ordered by submission time
  (then load time and sha256, so ties go to the file loaded last). A file starts a new
  submission when
    - it was submitted more than var('submission_gap_minutes') after the file before it
      (parts of one submission arrive together; a revision comes later), or
    - most of its rows repeat rows of the submission so far (more than
      var('revision_min_repeat_share') of them have the row key of a row there, macro row_key:
      the same employee in a roster, the same respondent in a survey): parts of one submission
      hold different rows, a file that sends them again is a revision, however soon it comes.
      A few repeated keys (an NIP twice in an agency's data, a finding) do not make a revision.
  Otherwise it is one more part of the submission before it.

  `relation`: the raw table of `dataset`. Returns a subquery with one row per loaded file and
  year it has rows for: file_sha256, kode_instansi, tahun, jumlah_baris, jumlah_nip (null for
  a dataset without NIPs), kiriman_ke (the submission's number for that agency, dataset and
  year: 1 the first, the highest the latest) and waktu_kiriman (the submission's time: its
  latest file's). Used once, by stg_raw__file_years; latest_submission reads that table.
  Row keys are compared only in chains of several files sent close together, and only the
  keys found in two files are walked in order, so parts that repeat nothing cost one hash
  aggregation and a revision sent days later costs nothing here.
  `since` (an incremental build: the model's load watermark): only the agencies that had a
  file of the dataset loaded after it (a new file, or bytes sent again: load.py sets a new
  loaded_at) are computed, each with all its files.
-#}
{% macro file_submissions(dataset, relation, has_nip, since=none) %}
(
    with recursive counted as (
        select
            r.file_sha256,
            r.kode_instansi,
            cast({{ row_year(dataset, 'r') }} as integer) as tahun,
            count(*) as jumlah_baris,
            {{ 'count(distinct r.nip)' if has_nip else 'cast(null as bigint)' }} as jumlah_nip
        from {{ relation }} as r
        {%- if since is not none %}
        -- only the agencies with a file of this dataset loaded (or sent again) since `since`:
        -- every file of such an agency, so its submissions are numbered anew
        where r.kode_instansi in (
            select l.kode_instansi from {{ source('raw', 'load_log') }} as l
            where l.dataset = '{{ dataset }}' and l.loaded_at > {{ since }}
        )
        {%- endif %}
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

    chained as materialized (
        select
            *,
            sum(cast(jeda as integer)) over (
                partition by kode_instansi, tahun order by urutan
            ) as rantai
        from ordered
    ),

    multi as materialized (
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

    -- each repeated key of a file, with the latest earlier file of its chain that holds it
    key_before as (
        select
            kode_instansi,
            tahun,
            rantai,
            urutan,
            lag(urutan) over (
                partition by kode_instansi, tahun, rantai, kunci order by urutan
            ) as urutan_sebelumnya
        from (
            select distinct key_files.*
            from key_files
            semi join repeated using (kode_instansi, tahun, rantai, kunci)
        )
    ),

    -- per file and each possible first file of its submission (an earlier file of its
    -- chain): how many of its keys a file from that one on holds
    repeats as materialized (
        select
            f.kode_instansi,
            f.tahun,
            f.urutan,
            m.urutan as mulai,
            count(k.urutan_sebelumnya) as jumlah_ulang
        from multi as f
        inner join multi as m
            on
                f.kode_instansi = m.kode_instansi
                and f.tahun = m.tahun
                and f.rantai = m.rantai
                and m.urutan < f.urutan
        inner join key_before as k
            on
                f.kode_instansi = k.kode_instansi
                and f.tahun = k.tahun
                and f.urutan = k.urutan
                and k.urutan_sebelumnya >= m.urutan
        group by all
    ),

    -- the chains with a repeated key: only their files are walked one by one
    walked as materialized (
        select chained.*
        from chained
        semi join (select distinct kode_instansi, tahun, rantai from key_before) as w
            using (kode_instansi, tahun, rantai)
    ),

    -- walk such a chain in order: `mulai` is the number of the first file of the current
    -- submission; a file most of whose rows repeat keys of files from `mulai` on starts a new one
    steps (kode_instansi, tahun, urutan, mulai) as (
        select kode_instansi, tahun, urutan, urutan
        from walked
        where jeda
        union all
        select
            n.kode_instansi,
            n.tahun,
            n.urutan,
            case
                when coalesce(r.jumlah_ulang, 0)
                    > cast({{ var('revision_min_repeat_share') }} as double) * n.jumlah_baris
                    then n.urutan
                else s.mulai
            end
        from steps as s
        inner join walked as n
            on
                s.kode_instansi = n.kode_instansi
                and s.tahun = n.tahun
                and n.urutan = s.urutan + 1
                and not n.jeda
        left join repeats as r
            on
                n.kode_instansi = r.kode_instansi
                and n.tahun = r.tahun
                and n.urutan = r.urutan
                and s.mulai = r.mulai
    )

    select
        f.file_sha256,
        f.kode_instansi,
        f.tahun,
        f.jumlah_baris,
        f.jumlah_nip,
        dense_rank() over (
            partition by f.kode_instansi, f.tahun order by f.mulai
        ) as kiriman_ke,
        max(f.submitted_at) over (
            partition by f.kode_instansi, f.tahun, f.mulai
        ) as waktu_kiriman
    from (
        -- a chain with no repeated key is one submission, from its first file
        select
            c.*,
            coalesce(
                s.mulai, min(c.urutan) over (partition by c.kode_instansi, c.tahun, c.rantai)
            ) as mulai
        from chained as c
        left join steps as s using (kode_instansi, tahun, urutan)
    ) as f
)
{% endmacro %}
