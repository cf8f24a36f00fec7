with

posts_identified as (

    select * from {{ ref('int_posts_identified') }}

),

-- the version from the latest fetch; within one fetch, the first listing
latest_versions as (

    select
        *,
        min(logical_date) over (partition by post_id) as first_seen_on,
        max(logical_date) over (partition by post_id) as last_seen_on
    from posts_identified
    qualify row_number() over (
        partition by post_id
        order by logical_date desc, fetched_at desc, fetch_id desc, entry_index asc
    ) = 1

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
        published_text,
        published_at,
        updated_at,
        comments_count,
        enclosure_count,

        -- sightings
        first_seen_on,
        last_seen_on

    from latest_versions

)

select * from final
