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

author_spans as (

    select
        feed_id,
        author_id,
        min(post_on) as first_post_on,
        max(post_on) as last_post_on
    from dated_author_posts
    group by feed_id, author_id

),

-- every day from the author's first post in the feed to the last, zero days included
date_spine as (

    select
        feed_id,
        author_id,
        unnest(
            generate_series(first_post_on, last_post_on, interval 1 day)
        )::date as post_on
    from author_spans

),

daily_counts as (

    select
        feed_id,
        author_id,
        post_on,
        count(*) as post_count
    from dated_author_posts
    group by feed_id, author_id, post_on

),

final as (

    select
        -- ids
        date_spine.feed_id,
        date_spine.author_id,
        date_spine.post_on,

        -- counts
        coalesce(daily_counts.post_count, 0) as post_count

    from date_spine
    left join daily_counts
        on
            date_spine.feed_id = daily_counts.feed_id
            and date_spine.author_id = daily_counts.author_id
            and date_spine.post_on = daily_counts.post_on

)

select * from final
