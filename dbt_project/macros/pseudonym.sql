{#- A keyed hash of an NIP: sha256 of a secret from the environment and the NIP. Analysts can
    follow one person across years without seeing who it is; without the secret the NIP
    cannot be recovered by hashing all possible NIPs. The secret must be set:
    KINERJA_PSEUDONYM_KEY. -#}
{% macro pseudonym(nip_column) -%}
    {%- set key = env_var("KINERJA_PSEUDONYM_KEY", "") -%}
    {%- if execute and key | length < 8 -%}
        {{ exceptions.raise_compiler_error(
            "KINERJA_PSEUDONYM_KEY is not set (or shorter than 8 characters): the secret of "
            ~ "the keyed hash that pseudonymises NIPs in the marts") }}
    {%- endif -%}
    sha256('{{ key }}' || ':' || {{ nip_column }})
{%- endmacro %}
