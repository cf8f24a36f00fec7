with

entries_flagged as (

    select * from {{ ref('int_entries_flagged') }}

),

defects as (

    select
        -- ids
        feed_id,
        fetch_id,
        logical_date,
        entry_index,
        post_id,

        -- the entry as sent
        guid,
        link,
        title,
        published_text as raw_published,

        -- why it was kept out of the marts
        defect_reason as reason

    from entries_flagged
    where defect_reason is not null

)

select * from defects
