{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='post_id',
        on_schema_change='append_new_columns',
        post_hook=[
            "delete from {{ this }} where post_id not in"
            " (select post_id from {{ ref('int_post_listings') }})"
        ]
    )
}}

-- depends_on: {{ ref('int_entries_flagged') }} (read by incremental builds only)

{#- A table built before built_at existed has no watermark: it is rebuilt whole once (every post
    deleted and inserted on post_id), and append_new_columns gives it the column. #}
{%- set has_watermark = is_incremental() and relation_has_column(this, 'built_at') %}

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

{% if has_watermark %}

    entries_flagged as (

        select * from {{ ref('int_entries_flagged') }}

    ),

    -- the fetches int_entries_flagged (re)wrote since this model's last build: the lookback,
    -- reruns, reloads and backfills (a build of this model that failed leaves them for the next)
    changed_fetches as (

        select distinct
            fetch_id,
            feed_id,
            logical_date
        from entries_flagged
        where built_at > coalesce(
            (select max(built.built_at) from {{ this }} as built), '-infinity'::timestamp
        )

    ),

    built as (

        select * from {{ this }}

    ),

    -- posts a changed fetch lists now, posts it may have listed before (seen on its date), and
    -- posts whose deletion check a changed fetch turns (a later fetch reaching back past them)
    changed_posts as (

        select all_listings.post_id
        from all_listings
        inner join changed_fetches
            on all_listings.fetch_id = changed_fetches.fetch_id

        union

        select built.post_id
        from built
        inner join changed_fetches
            on
                built.feed_id = changed_fetches.feed_id
                and changed_fetches.logical_date between built.first_seen_on and built.last_seen_on

        union

        select built.post_id
        from built
        left join later_windows
            on
                built.feed_id = later_windows.feed_id
                and built.last_seen_on = later_windows.logical_date
        where
            built.is_deleted_from_feed
            != coalesce(later_windows.oldest_listed_later_at < built.published_at, false)

    ),

    -- every listing of those posts (a post's history is small), so its aggregates are exact
    post_listings as (

        select * from all_listings
        where post_id in (select changed_posts.post_id from changed_posts)

    ),

{% else %}

    post_listings as (

        select * from all_listings

    ),

{% endif %}

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
        ))::varchar) as version_hash,

        -- the build that wrote the row: the next one consolidates what was flagged since
        {{ build_started_at() }} as built_at

    from deletion_checked

)

select * from final
