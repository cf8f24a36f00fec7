with

entries_flagged as (

    select * from {{ ref('int_entries_flagged') }}

),

-- valid listings only: no placeholders, defects or exact repeats
valid_listings as (

    select
        -- ids
        post_id,
        post_identity,
        identity_source,
        fetch_id,
        feed_id,

        -- fetch order
        logical_date,
        fetched_at,
        entry_index,

        -- post as listed in this fetch
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
        enclosure_count

    from entries_flagged
    where is_valid

)

select * from valid_listings
