-- a table, not a view: the plugin's Python functions run once per build, and a reader
-- outside dbt (which lacks them) can still read it
{{ config(materialized='table') }}

with

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

categories_unnested as (

    select
        post_id,
        unnest(categories) as category_raw
    from posts_latest

),

-- each spelling once: the plugin's Python functions cost per call, and a few thousand
-- spellings serve a million posts
spellings as (

    select distinct category_raw
    from categories_unnested
    where category_raw is not null

),

-- entities decoded ("Q&amp;A" is "Q&A") and whitespace collapsed; the key is that name
-- NFKC-normalized and casefolded, so "WebRTC" and "webrtc " are one tag in any script
spellings_keyed as (

    select
        category_raw,
        display_name(category_raw) as category,
        name_key(category_raw) as tag_key,
        slugify(category_raw) as base_slug
    from spellings

),

categories_keyed as (

    select distinct
        categories_unnested.post_id,
        spellings_keyed.category,
        spellings_keyed.tag_key,
        spellings_keyed.base_slug
    from categories_unnested
    inner join spellings_keyed
        on categories_unnested.category_raw = spellings_keyed.category_raw

),

identified as (

    select
        *,
        md5(tag_key) as tag_id
    from categories_keyed
    -- a category of whitespace alone names nothing
    where tag_key is not null

),

final as (

    select
        -- ids
        post_id,
        tag_id,

        -- tag
        category,
        tag_key,
        base_slug

    from identified

)

select * from final
