with

tags_normalized as (

    select * from {{ ref('int_tags_normalized') }}

),

tag_slugs as (

    select * from {{ ref('int_tag_slugs') }}

),

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

-- the most frequent spelling names the tag; ties go to the alphabetically first
preferred_spellings as (

    {{ preferred_spelling('tags_normalized', ['tag_id'], 'category') }}

),

-- uses are the publication times of the posts carrying the tag (undated posts don't count)
usage as (

    select
        tags_normalized.tag_id,
        count(distinct tags_normalized.post_id) as post_count,
        min(posts_latest.published_at) as first_used_at,
        max(posts_latest.published_at) as last_used_at
    from tags_normalized
    inner join posts_latest
        on tags_normalized.post_id = posts_latest.post_id
    group by tags_normalized.tag_id

),

final as (

    select
        -- ids
        preferred_spellings.tag_id,

        -- tag
        preferred_spellings.name,
        tag_slugs.slug,

        -- usage
        usage.post_count,
        usage.first_used_at,
        usage.last_used_at

    from preferred_spellings
    inner join usage
        on preferred_spellings.tag_id = usage.tag_id
    inner join tag_slugs
        on preferred_spellings.tag_id = tag_slugs.tag_id

)

select * from final
