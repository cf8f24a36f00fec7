{#
    Fails for every row whose timestamp or date column lies after the newest logical date loaded
    plus `days_ahead` days (feeds schedule posts a little ahead; never years). Relative to the
    data, not to the wall clock, so that backfills and old fixtures test the same way.
    Usage: data_tests: [{not_in_future: {arguments: {days_ahead: 2}}}]
#}
{% test not_in_future(model, column_name, days_ahead=2) %}

select *
from {{ model }}
where
    {{ column_name }} > (
        select max(logical_date) + interval {{ days_ahead }} day
        from {{ ref('stg_raw__fetches') }}
    )

{% endtest %}
