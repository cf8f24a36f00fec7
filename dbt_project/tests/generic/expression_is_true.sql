{#
    Fails for every row where the SQL expression is not true (null counts as a failure).
    Usage: data_tests: [{expression_is_true: {arguments: {expression: "a <= b"}}}]
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
