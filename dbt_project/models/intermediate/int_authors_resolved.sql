with

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

authors_cleaned as (

    select
        post_id,
        {{ collapse_whitespace('author') }} as author_name
    from posts_latest

),

-- spellings that differ only in case or spacing are one author
keyed as (

    select
        post_id,
        author_name,
        lower(author_name) as author_key
    from authors_cleaned
    where author_name != ''

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
