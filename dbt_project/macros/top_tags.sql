{#-
    The slugs of the (up to) `limit` tags on most of the posts of each combination of `keys`
    in `posts` (which has post_id); ties go to the alphabetically first. `tags` maps posts to
    tag ids (int_tags_normalized), `slugs` tag ids to slugs (int_tag_slugs). One row per
    combination of `keys` with a tagged post, with those columns and `top_tags`.
-#}
{% macro top_tags(posts, keys, tags, slugs, limit=3) %}
    {%- set qualified_keys = posts ~ '.' ~ keys | join(', ' ~ posts ~ '.') -%}
    select
        {{ keys | join(', ') }},
        list(slug order by post_count desc, slug asc)[1:{{ limit }}] as top_tags
    from (
        select
            {{ qualified_keys }},
            {{ slugs }}.slug,
            count(distinct {{ posts }}.post_id) as post_count
        from {{ posts }}
        inner join {{ tags }}
            on {{ posts }}.post_id = {{ tags }}.post_id
        inner join {{ slugs }}
            on {{ tags }}.tag_id = {{ slugs }}.tag_id
        group by {{ qualified_keys }}, {{ slugs }}.slug
    ) as tag_uses
    group by {{ keys | join(', ') }}
{% endmacro %}
