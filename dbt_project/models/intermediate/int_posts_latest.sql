{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='post_id',
        on_schema_change='fail',
        post_hook=[
            "delete from {{ this }} where post_id not in"
            " (select post_id from {{ ref('int_post_listings') }})"
        ]
    )
}}

with

all_listings as (

    select * from {{ ref('int_post_listings') }}

),

-- how far back each successful fetch with entries reached: its oldest dated listing
fetch_windows as (

    select
        feed_id,
        logical_date,
        min(published_at) as oldest_listed_at
    from all_listings
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

-- what each post is built from: its listings (the fetch version and position of each, hashed
-- and xor-ed, so their order does not matter), and the last date and latest version's
-- publication that its deletion check compares with the later fetches
post_inputs as (

    select
        post_id,
        feed_id,
        max(logical_date) as last_seen_on,
        arg_max_null(
            published_at, (logical_date, fetched_at, fetch_id, -entry_index)
        ) as published_at,
        bit_xor(hash(fetch_id, fetched_at, entry_index)) as listings_hash
    from all_listings
    group by post_id, feed_id

),

-- a post is deleted when a later fetch reached back past it (so it would be listed) but did
-- not list it; a post that only scrolled out of the feed window is not deleted
post_states as (

    select
        post_inputs.post_id,
        post_inputs.listings_hash,
        coalesce(
            later_windows.oldest_listed_later_at < post_inputs.published_at,
            false
        ) as is_deleted_from_feed
    from post_inputs
    left join later_windows
        on
            post_inputs.feed_id = later_windows.feed_id
            and post_inputs.last_seen_on = later_windows.logical_date

),

-- all posts on a full build; incrementally, the posts not built as they are now: listed by a
-- fetch loaded since (a new date, a rerun, a reload or a backfill), no longer listed by one,
-- or whose deletion check a later fetch turned
posts_to_build as (

    select * from post_states
    {{ not_yet_built('post_states', ['post_id', 'listings_hash', 'is_deleted_from_feed']) }}

),

-- every listing of those posts (a post's history is small), so its aggregates are exact
post_listings as (

    select all_listings.*
    from all_listings
    semi join posts_to_build
        on all_listings.post_id = posts_to_build.post_id

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

-- with what the post is built from, and whether it was deleted from its feed
with_states as (

    select
        latest_versions.*,
        posts_to_build.listings_hash,
        posts_to_build.is_deleted_from_feed
    from latest_versions
    inner join posts_to_build
        on latest_versions.post_id = posts_to_build.post_id

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

        -- what the row was built from: a build rebuilds the posts whose listings changed
        listings_hash,

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

    from with_states

)

select * from final
