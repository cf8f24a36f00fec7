with

source as (

    select * from {{ source('raw', 'entries') }}

),

renamed as (

    select
        -- ids
        fetch_id,
        feed_id,
        logical_date,
        entry_index,

        -- post
        title,
        categories,
        summary,
        content as content_html,

        -- dates: the strings as sent, and parsed to naive UTC
        published as published_text,
        published_at,
        updated as updated_text,
        updated_at,

        -- counts
        comments_count,
        enclosure_count,

        -- identity candidates and author, trimmed; blank means absent
        nullif(trim(guid), '') as guid,
        nullif(trim(link), '') as link,
        nullif(trim(author), '') as author

    from source

)

select * from renamed
