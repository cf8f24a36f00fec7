{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='fetch_id',
        on_schema_change='fail'
    )
}}

with

fetches as (

    select * from {{ ref('stg_raw__fetches') }}

),

entries as (

    select * from {{ ref('stg_raw__entries') }}

),

-- all fetches on a full build; incrementally, the fetches not built as they are now (a fetch
-- loaded since: a new date, a rerun, a reload or a backfill, in whatever order they load)
fetches_to_process as (

    select fetches.* from fetches
    {{ not_yet_built('fetches', ['fetch_id', 'fetched_at']) }}

),

-- entries of failed fetches are ignored
entries_to_process as (

    select
        entries.*,
        fetches_to_process.fetched_at,
        fetches_to_process.is_not_well_formed
    from entries
    inner join fetches_to_process
        on entries.fetch_id = fetches_to_process.fetch_id
    where fetches_to_process.is_successful

),

-- items of one fetch without guid that share a link but differ in title or date (a news
-- page listing many announcements) are distinct posts: their link alone identifies none
links_shared as (

    select
        *,
        guid is null
        and link is not null
        and min(coalesce(title, '') || '|' || coalesce(published_text, '')) over same_link
        != max(coalesce(title, '') || '|' || coalesce(published_text, '')) over same_link
            as is_shared_link
    from entries_to_process
    window same_link as (partition by fetch_id, link, guid is null)

),

-- a post is its guid, else its link (with title and date if shared), else its title and
-- publication date
identities as (

    select
        *,
        coalesce(
            guid,
            case
                when is_shared_link
                    then md5(
                        link || '|' || coalesce(title, '') || '|'
                        || coalesce(published_text, '')
                    )
            end,
            link,
            md5(coalesce(title, '') || '|' || coalesce(published_text, ''))
        ) as post_identity,
        case
            when guid is not null then 'guid'
            when is_shared_link then 'link_title_published'
            when link is not null then 'link'
            else 'title_published'
        end as identity_source,
        -- no guid, no link and a blank title identify nothing
        coalesce(guid, link, nullif(trim(title), '')) is not null as has_identity
    from links_shared

),

-- the post within its feed, and the listing's content (to tell repeats of a post apart)
identified as (

    select
        * exclude (has_identity, updated_text, is_shared_link),
        case when has_identity then md5(feed_id || '|' || post_identity) end as post_id,
        md5(to_json(struct_pack(
            link, title, author, categories, summary, content_html, body_source,
            published_text, date_text, updated_at, comments_count, enclosure_count
        ))::varchar) as entry_hash
    from identities

),

-- one row without entry per fetch that contributes none (it failed or listed nothing), so
-- that the delete+insert on fetch_id also clears a fetch whose reload lost its entries
fetches_without_entries as (

    select
        fetch_id,
        feed_id,
        logical_date,
        fetched_at
    from fetches_to_process
    where not exists (
        select 1
        from identified
        where identified.fetch_id = fetches_to_process.fetch_id
    )

),

-- the columns a row without entry lacks are null
final as (

    select * from identified
    union all by name
    select * from fetches_without_entries

)

select * from final
