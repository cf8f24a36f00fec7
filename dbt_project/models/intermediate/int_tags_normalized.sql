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

-- entities first ("Q&amp;A" is "Q&A"), then whitespace
categories_cleaned as (

    select distinct
        post_id,
        {{ collapse_whitespace(decode_html_entities('category_raw')) }} as category
    from categories_unnested
    where category_raw is not null

),

slugged as (

    select
        post_id,
        category,
        {{ slugify('category') }} as slug
    from categories_cleaned

),

identified as (

    select
        *,
        md5(slug) as tag_id
    from slugged
    -- categories made only of punctuation or whitespace have no slug
    where slug != ''

),

final as (

    select
        -- ids
        post_id,
        tag_id,

        -- tag
        category,
        slug

    from identified

)

select * from final
