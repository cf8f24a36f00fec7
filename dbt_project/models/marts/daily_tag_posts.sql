with

posts as (

    select * from {{ ref('posts') }}

),

post_tags as (

    select * from {{ ref('post_tags') }}

),

dated_tag_posts as (

    select
        posts.feed_id,
        post_tags.tag_id,
        posts.post_id,
        posts.published_at::date as post_on
    from post_tags
    inner join posts
        on post_tags.post_id = posts.post_id
    where posts.published_at is not null

),

-- every day from the tag's first use in the feed to its last, zero days included
final as (

    {{ zero_filled_daily_counts('dated_tag_posts', ['feed_id', 'tag_id'], {
        'tag_posts_on_day': 'count(*)'
    }) }}

)

select * from final
