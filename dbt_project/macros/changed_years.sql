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
    {%- set since = model_watermark() %}
    where {{ year_column }} in (
        {%- for relation in staged %}
        {% if not loop.first %}union {% endif -%}
        select tahun from {{ relation }} where _dimuat_sampai > {{ since }}
        {%- endfor %}
        -- a year whose only submission was held or withdrawn has no staging rows left
        union select tahun from {{ holds }}
        where greatest(ditahan_pada, diterima_pada) > {{ since }}
    )
    {%- endif %}
{%- endmacro %}

{#-
  Finer than a year, for the models whose row for an employee and year depends only on input
  rows of that NIP and year (the appraisal, IP ASN and employee-year facts): the (nip, tahun)
  pairs to rebuild are every NIP-year sent, in any file, for an (agency, dataset, year) of
  `datasets` restaged since this model's last build (a new file, a new roster, a hold or its
  acceptance). The raw tables keep every file, so a NIP that a revision dropped is rebuilt
  too. One agency's revision then rebuilds its employees, not the province's year.
-#}
{% macro changed_nip_years(datasets) -%}
    {%- set staged = [] -%}
    {%- for dataset in datasets -%}
        {%- do staged.append((dataset, ref('stg_raw__' ~ dataset), source('raw', dataset))) -%}
    {%- endfor -%}
    {%- set holds = ref('stg_raw__penahanan') -%}
    {%- if is_incremental() -%}
    {%- set since = model_watermark() -%}
    with changed_pairs as (
        {%- for dataset, staging, raw in staged %}
        {% if not loop.first %}union {% endif -%}
        select distinct kode_instansi, tahun, '{{ dataset }}' as dataset
        from {{ staging }} where _dimuat_sampai > {{ since }}
        {%- endfor %}
        -- a pair whose only submission was held or withdrawn has no staging rows left
        union select kode_instansi, tahun, dataset from {{ holds }}
        where dataset in ('{{ datasets | join("', '") }}')
            and greatest(ditahan_pada, diterima_pada) > {{ since }}
    )

    {%- for dataset, staging, raw in staged %}
    {% if not loop.first %}union {% endif -%}
    select raw_rows.nip, cast({{ row_year(dataset, 'raw_rows') }} as integer) as tahun
    from {{ raw }} as raw_rows
    semi join (select kode_instansi, tahun from changed_pairs where dataset = '{{ dataset }}') as c
        on raw_rows.kode_instansi = c.kode_instansi
            and cast({{ row_year(dataset, 'raw_rows') }} as integer) = c.tahun
    {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{% macro changed_nips_filter(nip_column, year_column, datasets) -%}
    {#- the refs are recorded on every parse (changed_nip_years takes them first) -#}
    {%- set changed = changed_nip_years(datasets) -%}
    {%- if is_incremental() %}
    where ({{ nip_column }}, {{ year_column }}) in ({{ changed }})
    {%- endif %}
{%- endmacro %}

{#-
  Pre-hook of the models rebuilt per (nip, tahun): their rows of the changed pairs are deleted
  first (also a pair that no longer has a row, e.g. an appraisal a revision dropped), then the
  build appends the pairs' rows as they are now. `key`: the model's NIP column, or
  'pegawai_key' for the facts (the keyed hash of the NIP, macro pseudonym).
-#}
{% macro remove_changed_nips(datasets, key='nip') -%}
    {%- set changed = changed_nip_years(datasets) -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where ({{ key }}, tahun) in (
        select {{ pseudonym('nip') if key == 'pegawai_key' else 'nip' }}, tahun
        from ({{ changed }}) as changed
    )
    {%- else %}
    select 1
    {%- endif %}
{%- endmacro %}

{#-
  The model's own watermark (the latest _dimuat_sampai in it) as a literal, read when the model
  runs: DuckDB prunes the staging tables' row groups by a constant, not by a subquery (a
  province's incremental filter: 0.05 s instead of 0.5 to 1 s). Read before the model writes
  anything, so its pre-hook and its query see the same value.
-#}
{% macro model_watermark() -%}
    {%- set ns = namespace(t=none) -%}
    {%- if execute and is_incremental() -%}
        {%- set ns.t = run_query(
            "select cast(max(_dimuat_sampai) as varchar) from " ~ this
        ).columns[0].values()[0] -%}
    {%- endif -%}
    timestamp '{{ ns.t if ns.t is not none else "1900-01-01" }}'
{%- endmacro %}
