{#
    Fails for every row whose column lies outside [min_value, max_value] (either bound may be
    omitted; both are SQL expressions). Nulls pass: pair with not_null where they must not occur.
    Usage: data_tests: [{accepted_range: {arguments: {min_value: 0}}}]
#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}

select *
from {{ model }}
where
    {{ column_name }} is not null
    and (
        false
        {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
        {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
    )

{% endtest %}
