with

posts as (

    select * from {{ ref('posts') }}

),

dated_posts as (

    select
        feed_id,
        post_id,
        author_id,
        word_count,
        published_at::date as post_on
    from posts
    where published_at is not null

),

feed_spans as (

    select
        feed_id,
        min(post_on) as first_post_on,
        max(post_on) as last_post_on
    from dated_posts
    group by feed_id

),

-- every day from the feed's first post to its last, so days without posts show as zero
date_spine as (

    select
        feed_id,
        unnest(
            generate_series(first_post_on, last_post_on, interval 1 day)
        )::date as post_on
    from feed_spans

),

daily_counts as (

    select
        feed_id,
        post_on,
        count(*) as post_count,
        count(distinct author_id) as author_count,
        sum(word_count)::bigint as word_count
    from dated_posts
    group by feed_id, post_on

),

final as (

    select
        -- ids
        date_spine.feed_id,
        date_spine.post_on,

        -- counts
        coalesce(daily_counts.post_count, 0) as post_count,
        coalesce(daily_counts.author_count, 0) as author_count,
        coalesce(daily_counts.word_count, 0) as word_count

    from date_spine
    left join daily_counts
        on
            date_spine.feed_id = daily_counts.feed_id
            and date_spine.post_on = daily_counts.post_on

)

select * from final
