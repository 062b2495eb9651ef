{#-
  A registered kabupaten/kota code that the region seed lacks (a new regency, created by law
  before the seed has it; core/registry.py accepts it with a warning) is published under a
  provisional name that says so, in the words of core.registry.NAMA_SEMENTARA.
  Kemendagri: kabupaten PP.01-PP.69, kota PP.71-PP.99.
-#}
{% macro jenis_wilayah_dari_kode(kode) -%}
    case when cast(right({{ kode }}, 2) as integer) >= 71 then 'kota' else 'kabupaten' end
{%- endmacro %}

{% macro nama_wilayah_sementara(kode) -%}
    case when cast(right({{ kode }}, 2) as integer) >= 71 then 'Kota ' else 'Kab. ' end
    || {{ kode }} || ' (nama belum ada di data wilayah)'
{%- endmacro %}
