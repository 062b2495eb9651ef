{#-
  delete+insert on a composite key (the staging tables: kode_instansi, tahun). dbt-duckdb
  deletes with `using <new rows> where k1 = k1 and k2 = k2`, which joins every old row with
  every new row of its key (minutes for a few agency-years of 10,000 rows); dbt's default
  deletes `where (k1, k2) in (select distinct k1, k2 ...)`, a semi join. Use the default.
-#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}
