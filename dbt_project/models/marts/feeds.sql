with

fetches as (

    select * from {{ ref('stg_raw__fetches') }}

),

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

-- every feed ever fetched, with the URL of its latest attempt
latest_attempts as (

    select
        feed_id,
        feed_url
    from fetches
    qualify row_number() over (
        partition by feed_id
        order by logical_date desc, fetched_at desc, fetch_id desc
    ) = 1

),

-- feed metadata as described by the latest successful fetch
latest_successes as (

    select
        feed_id,
        logical_date,
        feed_title,
        feed_link,
        feed_subtitle,
        feed_language,
        feed_generator
    from fetches
    where is_successful
    qualify row_number() over (
        partition by feed_id
        order by logical_date desc, fetched_at desc, fetch_id desc
    ) = 1

),

post_counts as (

    select
        feed_id,
        count(*) as post_count
    from posts_latest
    group by feed_id

),

final as (

    select
        -- ids
        latest_attempts.feed_id,

        -- feed
        latest_attempts.feed_url,
        latest_successes.feed_title as title,
        latest_successes.feed_link as site_url,
        latest_successes.feed_subtitle as description,
        latest_successes.feed_language as language,
        latest_successes.feed_generator as generator,

        -- activity
        latest_successes.logical_date as last_fetched_on,
        coalesce(post_counts.post_count, 0) as post_count

    from latest_attempts
    left join latest_successes
        on latest_attempts.feed_id = latest_successes.feed_id
    left join post_counts
        on latest_attempts.feed_id = post_counts.feed_id

)

select * from final
