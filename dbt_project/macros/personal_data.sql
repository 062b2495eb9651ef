{#-
  Personal data typed into free text (the standard: no NIP or name in what analysts and the
  public read, not even inside free text). The definition is core/standard.yaml
  (`personal_data`, and each dataset's free-text columns), rendered by core/personal_data.py
  and passed as the var `personal_data` (orchestration/assets/warehouse.py, dbt_vars); the
  publication gate searches the published files with the same definition in Python.

  - an NIP: a run of 18 Unicode decimal digits, possibly split by separators ("19851123
    201977 2 001"), glued to letters or not: replaced by [NIP];
  - a name: a whole name on that agency's roster of that year (any submission of it), word
    by word, case-insensitive: replaced by [NAMA]. The same word in another agency's text is
    left alone.
  The raw tables keep what the agency sent; each replacement is a finding for the agency
  (column `_data_pribadi` of the staging models, int_temuan_data_pribadi, fct_temuan).
-#}

{% macro personal_data_def(key) -%}
    {%- set d = var('personal_data', none) -%}
    {%- if d is none and not execute -%}{{ return(none) }}{%- endif -%}
    {%- if d is none -%}
        {{ exceptions.raise_compiler_error(
            "var personal_data is missing: run dbt with --vars from core.personal_data.dbt_vars() "
            ~ "(the pipeline does: orchestration/assets/warehouse.py, dbt_vars)") }}
    {%- endif -%}
    {{ return(d[key]) }}
{%- endmacro %}

{#- The free-text columns of a dataset (core/standard.yaml; empty while dbt parses). -#}
{% macro free_text_columns(dataset) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {{ return(personal_data_def('free_text_columns').get(dataset, [])) }}
{%- endmacro %}

{#- The datasets with at least one free-text column, in name order. Known while dbt parses
    when it is given the var (every dbt command of the pipeline is), so models may ref()
    their staging models. -#}
{% macro free_text_datasets() -%}
    {%- set d = var('personal_data', none) or {} -%}
    {%- set names = [] -%}
    {%- for dataset, columns in d.get('free_text_columns', {}).items() -%}
        {%- if columns -%}{%- do names.append(dataset) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{%- endmacro %}

{#- The words of a text, lower case, one space apart (a name as it is looked for). -#}
{% macro name_words(expr) -%}
    list_filter(regexp_split_to_array(lower({{ expr }}), '[^\pL\pN]+'), w -> w <> '')
{%- endmacro %}

{% macro nip_found(expr) -%}
    regexp_matches({{ expr }}, '{{ personal_data_def("nip_pattern") }}')
{%- endmacro %}

{% macro mask_nip(expr) -%}
    regexp_replace({{ expr }}, '{{ personal_data_def("nip_pattern") }}', '{{ personal_data_def("nip_token") }}', 'g')
{%- endmacro %}

{#- Replace the names of `pattern` (alternatives of words joined by [^\pL\pN]+; NULL: none)
    in `expr` by [NAMA], whole words, case-insensitive. Twice: a name right after a replaced
    one shares its boundary character with it. -#}
{% macro mask_names(expr, pattern) -%}
    case when {{ pattern }} is null then {{ expr }}
        else {{ _mask_names_once(_mask_names_once(expr, pattern), pattern) }} end
{%- endmacro %}

{% macro _mask_names_once(expr, pattern) -%}
    regexp_replace(
        {{ expr }},
        '(?i)(^|[^\pL\pN])(?:' || {{ pattern }} || ')($|[^\pL\pN])',
        '\1{{ personal_data_def("name_token") }}\2',
        'g'
    )
{%- endmacro %}

{#-
  The rows of the CTE `rows_cte` (a dataset's raw rows, with kode_instansi and tahun_data)
  with every free-text column masked, plus `_data_pribadi`: what was masked in the row, as
  'column:NIP' / 'column:NAMA'. Returns further CTEs (`, name as (...)`) ending in
  `masked_rows`. The names are those of every roster the agency sent for that year.
  What is masked in a text depends only on the text, its agency and its year, so each
  distinct text of an agency and year is searched once (texts_<column>) and the rows take
  the result by a join: agencies repeat the same course names, organisers and units on
  thousands of rows (the Jawa Barat benchmark: 2.6 M training rows, 240 distinct texts).
-#}
{% macro masked_rows(rows_cte, dataset) -%}
    {%- set columns = free_text_columns(dataset) if execute else [] -%}
    {%- set max_words = personal_data_def('name_max_words') if execute else 1 %},
    roster_names as (
        select distinct
            kode_instansi,
            cast(tahun as integer) as tahun_data,
            array_to_string({{ name_words('nama') }}, ' ') as nama_kunci
        from {{ source('raw', 'pegawai') }}
        -- a "name" holding a digit (any script) is a placeholder, no person's name
        -- (core/personal_data.py, is_person_name)
        where nama is not null and not regexp_matches(nama, '\pN')
    )
    {%- for c in columns %},
    texts_{{ c }} as (
        select distinct kode_instansi, tahun_data, {{ c }} as teks
        from {{ rows_cte }}
        where {{ c }} is not null
    ),
    names_in_{{ c }} as (
        -- every run of up to max_words words of the text, joined with the roster's names
        select kode_instansi, tahun_data, teks,
            string_agg(replace(nama_kunci, ' ', '[^\pL\pN]+'), '|' order by length(nama_kunci) desc)
                as pola
        from (
            select kode_instansi, tahun_data, teks,
                unnest(list_distinct(flatten(list_transform(
                    range(1, {{ max_words }} + 1),
                    k -> list_transform(range(1, len(w) - k + 2), i -> array_to_string(w[i:i + k - 1], ' '))
                )))) as nama_kunci
            from (
                select kode_instansi, tahun_data, teks, {{ name_words('teks') }} as w
                from texts_{{ c }}
            )
        )
        inner join roster_names using (kode_instansi, tahun_data, nama_kunci)
        group by kode_instansi, tahun_data, teks
    ),
    masked_{{ c }} as (
        select
            t.kode_instansi,
            t.tahun_data,
            t.teks,
            {{ mask_names(mask_nip('t.teks'), 'n.pola') }} as disamarkan,
            {{ nip_found('t.teks') }} as ada_nip,
            n.pola is not null as ada_nama
        from texts_{{ c }} as t
        left join names_in_{{ c }} as n using (kode_instansi, tahun_data, teks)
    )
    {%- endfor %},
    masked_rows as (
        select
            r.*
            {%- if columns %} replace (
                {%- for c in columns %}
                m_{{ c }}.disamarkan as {{ c }}{{ ',' if not loop.last }}
                {%- endfor %}
            )
            {%- endif %},
            {%- if columns %}
            flatten([
                {%- for c in columns %}
                case when m_{{ c }}.ada_nip then ['{{ c }}:NIP'] else cast([] as varchar []) end,
                case when m_{{ c }}.ada_nama then ['{{ c }}:NAMA'] else cast([] as varchar []) end
                {{- ',' if not loop.last }}
                {%- endfor %}
            ])
            {%- else %}
            cast([] as varchar [])
            {%- endif %} as _data_pribadi
        from {{ rows_cte }} as r
        {%- for c in columns %}
        left join masked_{{ c }} as m_{{ c }}
            on r.kode_instansi = m_{{ c }}.kode_instansi and r.tahun_data = m_{{ c }}.tahun_data
                and r.{{ c }} = m_{{ c }}.teks
        {%- endfor %}
    )
{%- endmacro %}
