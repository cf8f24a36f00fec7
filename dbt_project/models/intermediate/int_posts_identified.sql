with

entries as (

    select * from {{ ref('stg_raw__entries') }}

),

fetches as (

    select * from {{ ref('stg_raw__fetches') }}

),

successful_fetches as (

    select
        fetch_id,
        fetched_at
    from fetches
    where is_successful

),

-- entries of failed fetches are ignored
successful_entries as (

    select
        entries.fetch_id,
        entries.feed_id,
        entries.logical_date,
        successful_fetches.fetched_at,
        entries.entry_index,
        entries.guid,
        entries.link,
        entries.title,
        entries.author,
        entries.categories,
        entries.summary,
        entries.content_html,
        entries.published_text,
        entries.published_at,
        entries.updated_at,
        entries.comments_count,
        entries.enclosure_count
    from entries
    inner join successful_fetches
        on entries.fetch_id = successful_fetches.fetch_id

),

-- a post is its guid, else its link, else its title and publication date
identities as (

    select
        *,
        coalesce(
            guid,
            link,
            md5(coalesce(title, '') || '|' || coalesce(published_text, ''))
        ) as post_identity,
        case
            when guid is not null then 'guid'
            when link is not null then 'link'
            else 'title_published'
        end as identity_source
    from successful_entries

),

identified as (

    select
        *,
        md5(feed_id || '|' || post_identity) as post_id
    from identities

),

final as (

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
        published_text,
        published_at,
        updated_at,
        comments_count,
        enclosure_count

    from identified

)

select * from final
