{#-
  Data tests of incremental models check the rows this build wrote, not the whole table again.
  Every data test has `where: rows_of_this_build` (dbt_project.yml). On a model with
  _dimuat_sampai (the incremental staging, intermediate and fact tables: the load watermark
  when the row was written), the test reads the rows written with the current watermark
  (load_watermark: the latest load, hold or acceptance): after a full refresh every row; after an
  incremental build the (agency, year) or year partitions it rebuilt, whose keys cannot clash
  with the rows left in place (the partition is part of every key); nothing in a table that
  received nothing (its rows were tested by the build that wrote them). On any other model
  (views, full tables, sources) the test reads everything. A test's own `where` is kept.
-#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where != 'rows_of_this_build' -%}
        {%- do return(default__get_where_subquery(relation)) -%}
    {%- endif -%}
    {#- whether the tested table carries the watermark: from its documented columns in the
        graph (every column is documented), not a catalog query per test -#}
    {%- set ns = namespace(watermarked=false) -%}
    {%- for unique_id in (model.depends_on.nodes if execute else []) -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node and node.alias == relation.identifier and node.schema == relation.schema
            and '_dimuat_sampai' in node.columns -%}
            {%- set ns.watermarked = true -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if ns.watermarked -%}
        {%- set load_log = api.Relation.create(database=relation.database, schema='raw', identifier='load_log') -%}
        {%- set holds = api.Relation.create(database=relation.database, schema='raw', identifier='penahanan') -%}
        {%- do return('(select * from ' ~ relation ~ ' where _dimuat_sampai = ' ~ load_watermark(load_log, holds) ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
