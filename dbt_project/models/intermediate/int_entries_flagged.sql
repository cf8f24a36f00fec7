{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='fetch_id',
        on_schema_change='fail'
    )
}}

with

all_entries_identified as (

    select * from {{ ref('int_entries_identified') }}

),

-- the fetches not built here as they are now (the rows int_entries_identified rewrote since):
-- every check below is within one fetch, so the rows of the other fetches stay as they are
entries_identified as (

    select * from all_entries_identified
    {{ not_yet_built('all_entries_identified', ['fetch_id', 'fetched_at']) }}

),

-- defects of the entry on its own, the first that applies (a date that does not parse is no
-- defect: the post is published undated, its date text kept, and counted as a warning)
row_checks as (

    select
        *,
        entry_index is not null as has_entry,
        published_at is null and date_text is not null as has_unparsed_date,
        case
            when entry_index is null then null
            -- a payload that is not well-formed: what the lenient parser recovered at or past
            -- the break may be cut short, and an entry without the guid its feed's other
            -- entries carry lost it there
            when is_past_break then 'recovered past the break of a not well-formed payload'
            when
                is_not_well_formed
                and guid is null
                and count(guid) over (partition by fetch_id) > 0
                then 'no guid, unlike the other entries of a not well-formed payload'
            when post_id is null and content_html is null and date_text is null
                then 'empty entry: no guid, link, title, body or date'
            when post_id is null then 'no usable identity'
            when length(title) > 1000 then 'title too long'
            when length(content_html) > 2000000 then 'content too long'
            when published_at > logical_date + interval 2 day
                then 'published date in the future'
            when published_at < timestamp '1995-01-01' then 'published date before 1995'
        end as row_defect
    from entries_identified

),

-- the same post listed twice in one fetch, among the entries without a defect of their own
listings as (

    select
        *,
        row_number() over listing_order as listing_number,
        first_value(entry_hash) over listing_order as first_entry_hash
    from row_checks
    window listing_order as (
        partition by fetch_id, post_id, row_defect is null order by entry_index
    )

),

-- the first listing wins; a later one that differs is a defect, an exact repeat is dropped
-- silently
listings_checked as (

    select
        *,
        coalesce(
            row_defect,
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
            end
        ) as defect_reason,
        row_defect is null
        and listing_number > 1
        and entry_hash = first_entry_hash as is_exact_duplicate
    from listings

),

final as (

    select
        * exclude (row_defect, listing_number, first_entry_hash),
        has_entry
        and defect_reason is null
        and not is_exact_duplicate as is_valid
    from listings_checked

)

select * from final
