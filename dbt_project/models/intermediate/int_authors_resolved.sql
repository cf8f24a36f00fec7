-- a table, not a view: the plugin's Python functions run once per build, and a reader
-- outside dbt (which lacks them) can still read it
{{ config(materialized='table') }}

with

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

-- each spelling once: the plugin's Python functions cost per call
spellings as (

    select distinct author
    from posts_latest
    where author is not null

),

spellings_cleaned as (

    select
        author,
        display_name(author) as author_name,
        name_key(author) as author_key
    from spellings

),

authors_cleaned as (

    select
        posts_latest.post_id,
        spellings_cleaned.author_name,
        spellings_cleaned.author_key
    from posts_latest
    inner join spellings_cleaned
        on posts_latest.author = spellings_cleaned.author

),

-- spellings that differ only in case, spacing or Unicode form are one author
keyed as (

    select
        post_id,
        author_name,
        author_key
    from authors_cleaned
    where author_key is not null

),

identified as (

    select
        *,
        md5(author_key) as author_id
    from keyed

),

final as (

    select
        -- ids
        post_id,
        author_id,

        -- author
        author_key,
        author_name

    from identified

)

select * from final
