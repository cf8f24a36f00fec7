{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='fetch_id',
        on_schema_change='fail'
    )
}}

{% set checked_columns = [
    'fetch_id',
    'feed_id',
    'logical_date',
    'fetched_at',
    'entry_index',
    'post_id',
    'post_identity',
    'identity_source',
    'guid',
    'link',
    'title',
    'author',
    'categories',
    'summary',
    'content_html',
    'body_source',
    'published_text',
    'published_at',
    'published_at_source',
    'date_text',
    'has_unparsed_date',
    'updated_at',
    'comments_count',
    'enclosure_count',
    'defect_reason',
    'is_exact_duplicate'
] %}

with

fetches as (

    select * from {{ ref('stg_raw__fetches') }}

),

entries as (

    select * from {{ ref('stg_raw__entries') }}

),

-- all fetches on a full build; incrementally, those of the lookback window before the newest
-- logical date built so far, and any fetch loaded since the last build (a rerun or backfill)
fetches_to_process as (

    select
        fetches.fetch_id,
        fetches.feed_id,
        fetches.logical_date,
        fetches.fetched_at,
        fetches.is_successful
    from fetches
    {% if is_incremental() %}
        where
            fetches.logical_date >= (
                select max(built.logical_date) - {{ var('lookback_days') }}::integer
                from {{ this }} as built
            )
            or not exists (
                select 1
                from {{ this }} as built
                where
                    built.fetch_id = fetches.fetch_id
                    and built.fetched_at = fetches.fetched_at
            )
    {% endif %}

),

-- entries of failed fetches are ignored
entries_to_process as (

    select
        entries.fetch_id,
        entries.feed_id,
        entries.logical_date,
        fetches_to_process.fetched_at,
        entries.entry_index,
        entries.guid,
        entries.link,
        entries.title,
        entries.author,
        entries.categories,
        entries.summary,
        entries.content_html,
        entries.body_source,
        entries.published_text,
        entries.published_at,
        entries.published_at_source,
        entries.date_text,
        entries.updated_at,
        entries.comments_count,
        entries.enclosure_count,
        entries.published_at is null
        and entries.date_text is not null as has_unparsed_date
    from entries
    inner join fetches_to_process
        on entries.fetch_id = fetches_to_process.fetch_id
    where fetches_to_process.is_successful

),

-- a post is its guid, else its link, else its title and publication date
identities as (

    select
        *,
        guid is null
        and link is null
        and nullif(trim(title), '') is null as has_no_identity,
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
    from entries_to_process

),

identified as (

    select
        *,
        case
            when not has_no_identity then md5(feed_id || '|' || post_identity)
        end as post_id,
        md5(to_json(struct_pack(
            link,
            title,
            author,
            categories,
            summary,
            content_html,
            body_source,
            published_text,
            date_text,
            updated_at,
            comments_count,
            enclosure_count
        ))::varchar) as entry_hash
    from identities

),

-- defects of the entry on its own, the first that applies (a date that does not parse is no
-- defect: the post is published undated, its date text kept, and counted as a warning)
row_checks as (

    select
        *,
        case
            when has_no_identity then 'no usable identity'
            when length(title) > 1000 then 'title too long'
            when length(content_html) > 2000000 then 'content too long'
            when published_at > logical_date + interval 2 day
                then 'published date in the future'
            when published_at < timestamp '1995-01-01' then 'published date before 1995'
        end as row_defect
    from identified

),

-- the same post listed twice in one fetch: the first listing wins; a later one that differs is
-- a defect, an exact repeat is dropped silently
listings as (

    select
        *,
        row_number() over (
            partition by fetch_id, post_id order by entry_index
        ) as listing_number,
        first_value(entry_hash) over (
            partition by fetch_id, post_id order by entry_index
        ) as first_entry_hash
    from row_checks
    where row_defect is null

),

listings_checked as (

    select
        *,
        case
            when listing_number > 1 and entry_hash != first_entry_hash
                then
                    'duplicate '
                    || case identity_source
                        when 'guid' then 'guid'
                        when 'link' then 'link'
                        else 'title and date'
                    end
                    || ' with different content'
        end as defect_reason,
        listing_number > 1 and entry_hash = first_entry_hash as is_exact_duplicate
    from listings

),

row_defects as (

    select
        *,
        row_defect as defect_reason,
        false as is_exact_duplicate
    from row_checks
    where row_defect is not null

),

checked_entries as (

    -- the same columns from both sides (listed once, in checked_columns above)
    select {{ checked_columns | join(', ') }}
    from listings_checked

    union all

    select {{ checked_columns | join(', ') }}
    from row_defects

),

-- one placeholder row per fetch that contributes no entry (failed or empty), so that the
-- delete+insert on fetch_id also clears a fetch whose reload lost its entries
fetches_without_entries as (

    select
        fetches_to_process.fetch_id,
        fetches_to_process.feed_id,
        fetches_to_process.logical_date,
        fetches_to_process.fetched_at
    from fetches_to_process
    where not exists (
        select 1
        from checked_entries
        where checked_entries.fetch_id = fetches_to_process.fetch_id
    )

),

placeholders as (

    select
        fetch_id,
        feed_id,
        logical_date,
        fetched_at,
        null::integer as entry_index,
        null::varchar as post_id,
        null::varchar as post_identity,
        null::varchar as identity_source,
        null::varchar as guid,
        null::varchar as link,
        null::varchar as title,
        null::varchar as author,
        null::varchar[] as categories,
        null::varchar as summary,
        null::varchar as content_html,
        null::varchar as body_source,
        null::varchar as published_text,
        null::timestamp as published_at,
        null::varchar as published_at_source,
        null::varchar as date_text,
        false as has_unparsed_date,
        null::timestamp as updated_at,
        null::integer as comments_count,
        null::integer as enclosure_count,
        null::varchar as defect_reason,
        false as is_exact_duplicate
    from fetches_without_entries

),

all_rows as (

    select * from checked_entries
    union all
    select * from placeholders

),

final as (

    select
        -- ids
        fetch_id,
        feed_id,
        entry_index,
        post_id,
        post_identity,
        identity_source,

        -- fetch
        logical_date,
        fetched_at,

        -- entry as listed in this fetch
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

        -- checks
        defect_reason,
        is_exact_duplicate,
        entry_index is not null as has_entry,
        entry_index is not null
        and defect_reason is null
        and not is_exact_duplicate as is_valid

    from all_rows

)

select * from final
