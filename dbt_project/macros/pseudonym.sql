{#- A keyed hash of an NIP: sha256 of a secret and the NIP. Analysts can follow one person
    across years without seeing who it is; without the secret the NIP cannot be recovered by
    hashing all possible NIPs. The secret (KINERJA_PSEUDONYM_KEY, at least 8 characters) is
    not rendered into the SQL: dbt's DuckDB connection holds it as the variable
    kinerja_pseudonym_key (orchestration/dbt_plugin.py, `plugins:` in profiles.yml), and
    refuses to connect without it. So the key is in no compiled SQL, dbt artifact or log.
    A connection without the variable (a profile without the plugin) fails here instead of
    writing NULL keys (the cast keeps DuckDB from folding `NULL || ...` before the error). -#}
{% macro pseudonym(nip_column) -%}
    sha256(
        coalesce(
            getvariable('kinerja_pseudonym_key'),
            cast(error(
                'KINERJA_PSEUDONYM_KEY is not on the dbt connection: the profile needs the '
                || 'plugin orchestration.dbt_plugin (dbt_project/profiles.yml)'
            ) as varchar)
        )
        || ':'
        || {{ nip_column }}
    )
{%- endmacro %}
