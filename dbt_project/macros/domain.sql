{#-
  Domain constants read from their one home at execution time (while dbt parses, `execute`
  is false and they are empty lists; the parsed SQL is never run). Each macro also takes a
  ref()/source() of its home while parsing, so dbt builds that home first.
-#}

{#- The values of a seed's column, ordered, read from the seed table in the warehouse. Not
    through ref(): in a unit test ref() names the test's fixture, and `graph` is empty there,
    so the seed table is then looked up by name in the warehouse's catalog. -#}
{% macro seed_column_values(seed_name, column, order_by) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set node = (graph.get('nodes') or {}).values() | selectattr('resource_type', 'equalto', 'seed')
        | selectattr('name', 'equalto', seed_name) | first -%}
    {%- if node -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- else -%}
        {%- set found = run_query(
            "select table_schema from information_schema.tables where table_catalog = current_database()"
            ~ " and table_name = '" ~ seed_name ~ "'") -%}
        {%- if found.rows | length != 1 -%}
            {{ exceptions.raise_compiler_error('seed ' ~ seed_name ~ ' is not (or more than once) in the warehouse: dbt seed first') }}
        {%- endif -%}
        {%- set relation = api.Relation.create(
            database=target.database, schema=found.columns[0].values()[0], identifier=seed_name) -%}
    {%- endif -%}
    {%- set result = run_query('select ' ~ column ~ ' from ' ~ relation ~ ' order by ' ~ order_by) -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}

{#- The predikat codes, best first (seed predikat). -#}
{% macro predikat_codes() -%}
    {%- set home = ref('predikat') -%}
    {{ return(seed_column_values('predikat', 'predikat', 'urutan')) }}
{%- endmacro %}

{#- The IP ASN kategori codes, best first (seed ip_asn_kategori). -#}
{% macro ip_asn_kategori_codes() -%}
    {%- set home = ref('ip_asn_kategori') -%}
    {{ return(seed_column_values('ip_asn_kategori', 'kategori', 'urutan')) }}
{%- endmacro %}

{#- The nine SKM elements u1..u9 of PermenPANRB 14/2017, in order (seed ikm_unsur); they
    are also the column names of a survey response. -#}
{% macro ikm_elements() -%}
    {%- set home = ref('ikm_unsur') -%}
    {{ return(seed_column_values('ikm_unsur', 'unsur', 'urutan')) }}
{%- endmacro %}

{#- The submission datasets: the tables of source raw marked `meta: {dataset: true}` in
    models/staging/_sources.yml, in name order. A unit test has no graph of sources: it names
    the datasets it gives rows for in var('unit_test_datasets'). -#}
{% macro submission_datasets() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if graph.get('sources') is none -%}{{ return(var('unit_test_datasets', [])) }}{%- endif -%}
    {%- set names = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- if source.source_name == 'raw' and source.meta.get('dataset') -%}
            {%- do names.append(source.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{%- endmacro %}

{#- Fails the run when a submission dataset is missing from the current model's parse-time
    dependencies (a `-- depends_on: source(...)` line per dataset). -#}
{% macro assert_depends_on_sources(datasets) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- for dataset in datasets -%}
            {%- if 'source.' ~ project_name ~ '.raw.' ~ dataset not in model.depends_on.nodes -%}
                {{ exceptions.raise_compiler_error(
                    model.name ~ ': add a depends_on line with source raw ' ~ dataset
                    ~ ' (a submission dataset in _sources.yml)') }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
