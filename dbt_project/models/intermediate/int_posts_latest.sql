{{ config(materialized='table') }}

with

post_listings as (

    select * from {{ ref('int_post_listings') }}

),

-- the version from the latest fetch; within one fetch, the first listing
latest_versions as (

    select
        *,
        min(logical_date) over (partition by post_id) as first_seen_on,
        max(logical_date) over (partition by post_id) as last_seen_on,
        count(distinct fetch_id) over (partition by post_id) as times_seen
    from post_listings
    qualify row_number() over (
        partition by post_id
        order by logical_date desc, fetched_at desc, fetch_id desc, entry_index asc
    ) = 1

),

-- how far back each successful fetch with entries reached: its oldest dated listing
fetch_windows as (

    select
        feed_id,
        logical_date,
        min(published_at) as oldest_listed_at
    from post_listings
    group by feed_id, logical_date

),

-- for each fetch, the oldest listing of any later fetch of the same feed
later_windows as (

    select
        feed_id,
        logical_date,
        min(oldest_listed_at) over (
            partition by feed_id
            order by logical_date
            rows between 1 following and unbounded following
        ) as oldest_listed_later_at
    from fetch_windows

),

-- a post is deleted when a later fetch reached back past it (so it would be listed) but did
-- not list it; a post that only scrolled out of the feed window is not deleted
deletion_checked as (

    select
        latest_versions.*,
        coalesce(
            later_windows.oldest_listed_later_at < latest_versions.published_at,
            false
        ) as is_deleted_from_feed
    from latest_versions
    left join later_windows
        on
            latest_versions.feed_id = later_windows.feed_id
            and latest_versions.last_seen_on = later_windows.logical_date

),

final as (

    select
        -- ids
        post_id,
        post_identity,
        identity_source,
        feed_id,
        fetch_id as latest_fetch_id,

        -- latest version of the post
        guid,
        link,
        title,
        author,
        categories,
        summary,
        content_html,
        body_source,
        published_text,
        published_at,
        published_at_source,
        date_text,
        has_unparsed_date,
        updated_at,
        comments_count,
        enclosure_count,

        -- sightings
        first_seen_on,
        last_seen_on,
        times_seen,
        is_deleted_from_feed,

        -- change detection for the incremental posts mart
        md5(to_json(struct_pack(
            post_id,
            post_identity,
            feed_id,
            guid,
            link,
            title,
            author,
            categories,
            summary,
            content_html,
            body_source,
            published_at,
            published_at_source,
            date_text,
            updated_at,
            comments_count,
            enclosure_count,
            first_seen_on,
            last_seen_on,
            times_seen,
            is_deleted_from_feed
        ))::varchar) as version_hash

    from deletion_checked

)

select * from final
