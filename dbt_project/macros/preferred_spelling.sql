{#-
    The name of each thing that is spelled several ways (an author, a tag): its most frequent
    spelling among the rows of `relation`; ties go to the alphabetically first. One row per
    combination of `keys`, with those columns and `name`.
-#}
{% macro preferred_spelling(relation, keys, spelling) %}
    select
        {{ keys | join(', ') }},
        {{ spelling }} as name
    from {{ relation }}
    group by {{ keys | join(', ') }}, {{ spelling }}
    qualify row_number() over (
        partition by {{ keys | join(', ') }}
        order by count(*) desc, {{ spelling }} asc
    ) = 1
{% endmacro %}
