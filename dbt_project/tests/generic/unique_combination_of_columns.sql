{#
    Fails for every combination of the given columns that occurs more than once in the model.
    Usage: data_tests: [{unique_combination_of_columns: {arguments: {combination_of_columns: [a, b]}}}]
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

duplicates as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from duplicates

{% endtest %}
