with

source as (

    select * from {{ source('raw', 'fetches') }}

),

-- a date the raw gate refused stays out of every build until a rerun passes it
gated as (

    select source.* from source
    {{ passed_raw_gate('source') }}

),

renamed as (

    select
        -- ids
        fetch_id,
        feed_id,

        -- fetch
        url as feed_url,
        fetch_mode,
        logical_date,
        fetched_at,
        http_status,
        etag,
        last_modified,
        payload_sha256,
        payload_bytes,
        entry_count,
        error as fetch_error,
        bozo_reason,
        warning as fetch_warning,

        -- feed metadata, as the feed described itself; blank means absent
        nullif(trim(feed_title), '') as feed_title,
        nullif(trim(feed_link), '') as feed_link,
        nullif(trim(feed_subtitle), '') as feed_subtitle,
        nullif(trim(feed_language), '') as feed_language,
        nullif(trim(feed_generator), '') as feed_generator,

        -- flags
        error is null as is_successful,
        coalesce(warning like '%not well-formed%', false) as is_not_well_formed

    from gated

)

select * from renamed
