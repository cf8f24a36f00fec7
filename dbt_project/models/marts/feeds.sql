with

fetches as (

    select * from {{ ref('stg_raw__fetches') }}

),

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

entries_flagged as (

    select * from {{ ref('int_entries_flagged') }}

),

-- every feed ever fetched, with the URL of its latest live attempt (an archive URL only for
-- a feed never fetched live), so a backfill of a recent date does not change it
latest_attempts as (

    select
        feed_id,
        feed_url
    from fetches
    qualify row_number() over (
        partition by feed_id
        order by
            fetch_mode = 'archive' asc, logical_date desc, fetched_at desc, fetch_id desc
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

-- days between each dated post and the feed's previous one
post_gaps as (

    select
        feed_id,
        post_id,
        published_at,
        date_diff(
            'second',
            lag(published_at) over (partition by feed_id order by published_at, post_id),
            published_at
        ) / 86400.0 as days_since_previous
    from posts_latest

),

post_activity as (

    select
        feed_id,
        count(*) as post_count,
        min(published_at) as first_post_at,
        max(published_at) as last_post_at,
        round(median(days_since_previous), 2) as posting_cadence_days
    from post_gaps
    group by feed_id

),

quarantine_counts as (

    select
        feed_id,
        count(*) as quarantined_entry_count
    from entries_flagged
    where defect_reason is not null
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
        post_activity.first_post_at,
        post_activity.last_post_at,
        post_activity.posting_cadence_days,
        coalesce(post_activity.post_count, 0) as post_count,
        coalesce(quarantine_counts.quarantined_entry_count, 0) as quarantined_entry_count

    from latest_attempts
    left join latest_successes
        on latest_attempts.feed_id = latest_successes.feed_id
    left join post_activity
        on latest_attempts.feed_id = post_activity.feed_id
    left join quarantine_counts
        on latest_attempts.feed_id = quarantine_counts.feed_id

)

select * from final
