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

-- every fetch in the order its listings supersede each other: a post's latest version is its
-- listing in the highest fetch (within one fetch, the first listing)
fetches as (

    select distinct
        fetch_id,
        logical_date,
        fetched_at
    from all_listings

),

fetch_order as (

    select
        fetch_id,
        row_number() over (order by logical_date, fetched_at, fetch_id) as fetch_seq
    from fetches

),

-- what each post is built from: its listings (the fetch version and position of each, hashed
-- and xor-ed, so their order does not matter), and the last date and latest version's
-- publication that its deletion check compares with the later fetches. The latest version is
-- picked by one integer (fetch_seq, then entry_index), not a struct: DuckDB 1.5 cannot spill
-- an aggregate whose state holds a struct, and at 3M posts that state outgrew the memory limit
post_inputs as (

    select
        all_listings.post_id,
        all_listings.feed_id,
        max(all_listings.logical_date) as last_seen_on,
        arg_max_null(
            all_listings.published_at,
            fetch_order.fetch_seq * 4294967296 - all_listings.entry_index
        ) as published_at,
        bit_xor(
            hash(all_listings.fetch_id, all_listings.fetched_at, all_listings.entry_index)
        ) as listings_hash
    from all_listings
    inner join fetch_order
        on all_listings.fetch_id = fetch_order.fetch_id
    group by all_listings.post_id, all_listings.feed_id

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

    select
        all_listings.*,
        fetch_order.fetch_seq
    from all_listings
    semi join posts_to_build
        on all_listings.post_id = posts_to_build.post_id
    inner join fetch_order
        on all_listings.fetch_id = fetch_order.fetch_id

),

-- each fetch that listed the post, with its first listing of it
post_fetches as (

    select
        post_id,
        fetch_seq,
        max(logical_date) as logical_date,
        min(entry_index) as first_entry_index
    from post_listings
    group by post_id, fetch_seq

),

-- the post's sightings and which listing is its latest version: the latest fetch's first.
-- Plain aggregates over narrow rows, joined back to the one wide row they pick: DuckDB 1.5
-- could not spill a window over the wide rows (every column of the post) at 3M posts
latest_keys as (

    select
        post_id,
        min(logical_date) as first_seen_on,
        max(logical_date) as last_seen_on,
        count(*) as times_seen,
        max(fetch_seq) as latest_fetch_seq,
        arg_max(first_entry_index, fetch_seq) as latest_entry_index
    from post_fetches
    group by post_id

),

-- the version from the latest fetch; within one fetch, the first listing
latest_versions as (

    select
        post_listings.*,
        latest_keys.first_seen_on,
        latest_keys.last_seen_on,
        latest_keys.times_seen
    from post_listings
    inner join latest_keys
        on
            post_listings.post_id = latest_keys.post_id
            and post_listings.fetch_seq = latest_keys.latest_fetch_seq
            and post_listings.entry_index = latest_keys.latest_entry_index

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
