with

authors_resolved as (

    select * from {{ ref('int_authors_resolved') }}

),

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

-- one row per post with an author: who wrote it, in which feed, when
final as (

    select
        -- ids
        authors_resolved.post_id,
        authors_resolved.author_id,
        posts_latest.feed_id,

        -- author and post
        authors_resolved.author_name,
        posts_latest.published_at

    from authors_resolved
    inner join posts_latest
        on authors_resolved.post_id = posts_latest.post_id

)

select * from final
