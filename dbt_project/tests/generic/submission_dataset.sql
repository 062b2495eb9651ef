{#- Every non-null value is a submission dataset (a source table marked meta.dataset). -#}
{% test submission_dataset(model, column_name) %}
    {%- set datasets = submission_datasets() %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        {%- if datasets %}
            and {{ column_name }} not in ('{{ datasets | join("', '") }}')
        {%- endif %}
{% endtest %}

{#- Every non-null value is a count of submission datasets: 0 up to how many there are. -#}
{% test submission_dataset_count(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > {{ submission_datasets() | length }}
{% endtest %}
