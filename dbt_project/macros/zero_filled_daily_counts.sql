{#-
    Daily counts of the rows of `relation` (which has a `post_on` date) per combination of
    `keys`, with every day from the group's first post_on to its last present, so days without
    rows show as zero and charts do not skip them. `counts` maps each output column to its
    aggregate over the day's rows, in order (e.g. {'post_count': 'count(*)'}).
-#}
{% macro zero_filled_daily_counts(relation, keys, counts) %}
    {%- set spine_keys = keys + ['post_on'] -%}
    {%- set zero_filled -%}
        {%- for column in counts -%}
            coalesce(daily_counts.{{ column }}, 0) as {{ column }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    {%- endset -%}
    {%- set aggregates -%}
        {%- for column, aggregate in counts.items() -%}
            {{ aggregate }} as {{ column }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    {%- endset -%}
    {%- set same_group_and_day -%}
        {%- for key in spine_keys -%}
            {{ ' and ' if not loop.first }}date_spine.{{ key }} = daily_counts.{{ key }}
        {%- endfor -%}
    {%- endset %}
    select
        date_spine.{{ spine_keys | join(', date_spine.') }},
        {{ zero_filled }}
    from (
        select
            {{ keys | join(', ') }},
            unnest(
                generate_series(min(post_on), max(post_on), interval 1 day)
            )::date as post_on
        from {{ relation }}
        group by {{ keys | join(', ') }}
    ) as date_spine
    left join (
        select
            {{ spine_keys | join(', ') }},
            {{ aggregates }}
        from {{ relation }}
        group by {{ spine_keys | join(', ') }}
    ) as daily_counts
        on {{ same_group_and_day }}
{% endmacro %}
