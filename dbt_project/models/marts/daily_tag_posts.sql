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

tag_spans as (

    select
        feed_id,
        tag_id,
        min(post_on) as first_post_on,
        max(post_on) as last_post_on
    from dated_tag_posts
    group by feed_id, tag_id

),

-- every day from the tag's first use in the feed to its last, zero days included
date_spine as (

    select
        feed_id,
        tag_id,
        unnest(
            generate_series(first_post_on, last_post_on, interval 1 day)
        )::date as post_on
    from tag_spans

),

daily_counts as (

    select
        feed_id,
        tag_id,
        post_on,
        count(*) as post_count
    from dated_tag_posts
    group by feed_id, tag_id, post_on

),

final as (

    select
        -- ids
        date_spine.feed_id,
        date_spine.tag_id,
        date_spine.post_on,

        -- counts
        coalesce(daily_counts.post_count, 0) as post_count

    from date_spine
    left join daily_counts
        on
            date_spine.feed_id = daily_counts.feed_id
            and date_spine.tag_id = daily_counts.tag_id
            and date_spine.post_on = daily_counts.post_on

)

select * from final
