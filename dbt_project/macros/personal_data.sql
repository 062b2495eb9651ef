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
    names_in_{{ c }} as (
        -- every run of up to max_words words of the text, joined with the roster's names
        select file_sha256, kode_instansi, baris,
            string_agg(replace(nama_kunci, ' ', '[^\pL\pN]+'), '|' order by length(nama_kunci) desc)
                as pola
        from (
            select file_sha256, kode_instansi, baris, tahun_data,
                unnest(list_distinct(flatten(list_transform(
                    range(1, {{ max_words }} + 1),
                    k -> list_transform(range(1, len(w) - k + 2), i -> array_to_string(w[i:i + k - 1], ' '))
                )))) as nama_kunci
            from (
                select file_sha256, kode_instansi, baris, tahun_data, {{ name_words(c) }} as w
                from {{ rows_cte }}
                where {{ c }} is not null
            )
        )
        inner join roster_names using (kode_instansi, tahun_data, nama_kunci)
        group by file_sha256, kode_instansi, baris
    )
    {%- endfor %},
    masked_rows as (
        select
            r.*
            {%- if columns %} replace (
                {%- for c in columns %}
                {{ mask_names(mask_nip('r.' ~ c), 'n_' ~ c ~ '.pola') }} as {{ c }}{{ ',' if not loop.last }}
                {%- endfor %}
            )
            {%- endif %},
            {%- if columns %}
            flatten([
                {%- for c in columns %}
                case when {{ nip_found('r.' ~ c) }} then ['{{ c }}:NIP'] else cast([] as varchar []) end,
                case when n_{{ c }}.pola is not null then ['{{ c }}:NAMA'] else cast([] as varchar []) end
                {{- ',' if not loop.last }}
                {%- endfor %}
            ])
            {%- else %}
            cast([] as varchar [])
            {%- endif %} as _data_pribadi
        from {{ rows_cte }} as r
        {%- for c in columns %}
        left join names_in_{{ c }} as n_{{ c }}
            on r.file_sha256 = n_{{ c }}.file_sha256 and r.kode_instansi = n_{{ c }}.kode_instansi
                and r.baris = n_{{ c }}.baris
        {%- endfor %}
    )
{%- endmacro %}
