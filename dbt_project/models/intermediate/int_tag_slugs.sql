-- a table, not a view: posts, tags, authors, feed_authors and its tests all read it, and as a
-- view each of them joined every post's tags again
{{ config(materialized='table') }}

with

tags_normalized as (

    select * from {{ ref('int_tags_normalized') }}

),

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

tag_keys as (

    select
        tags_normalized.tag_id,
        tags_normalized.tag_key,
        tags_normalized.base_slug,
        min(posts_latest.first_seen_on) as first_seen_on
    from tags_normalized
    inner join posts_latest
        on tags_normalized.post_id = posts_latest.post_id
    group by tags_normalized.tag_id, tags_normalized.tag_key, tags_normalized.base_slug

),

-- tags whose names differ only in punctuation share a base slug ("C", "C#", "C++" are "c"):
-- the tag seen first (then the smallest key) keeps it, so a tag's slug does not change when
-- another arrives; each other one is told apart by its id
ranked as (

    select
        *,
        row_number() over (
            partition by base_slug order by first_seen_on asc, tag_key asc
        ) as slug_rank
    from tag_keys

),

final as (

    select
        -- ids
        tag_id,

        -- tag
        tag_key,
        first_seen_on,
        case
            when slug_rank = 1 then base_slug
            else base_slug || '-' || left(tag_id, 6)
        end as slug

    from ranked

)

select * from final
