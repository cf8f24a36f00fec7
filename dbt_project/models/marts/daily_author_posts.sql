with

posts as (

    select * from {{ ref('posts') }}

),

dated_author_posts as (

    select
        feed_id,
        author_id,
        post_id,
        published_at::date as post_on
    from posts
    where published_at is not null and author_id is not null

),

-- every day from the author's first post in the feed to the last, zero days included
final as (

    {{ zero_filled_daily_counts('dated_author_posts', ['feed_id', 'author_id'], {
        'author_posts_on_day': 'count(*)'
    }) }}

)

select * from final
