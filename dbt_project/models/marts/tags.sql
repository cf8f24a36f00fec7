with

tags_normalized as (

    select * from {{ ref('int_tags_normalized') }}

),

spellings as (

    select
        tag_id,
        slug,
        category,
        count(*) as post_count
    from tags_normalized
    group by tag_id, slug, category

),

-- the most frequent spelling names the tag; ties go to the alphabetically first
preferred_spellings as (

    select
        tag_id,
        slug,
        category as name
    from spellings
    qualify row_number() over (
        partition by tag_id
        order by post_count desc, category asc
    ) = 1

),

post_counts as (

    select
        tag_id,
        count(distinct post_id) as post_count
    from tags_normalized
    group by tag_id

),

final as (

    select
        -- ids
        preferred_spellings.tag_id,

        -- tag
        preferred_spellings.name,
        preferred_spellings.slug,

        -- counts
        post_counts.post_count

    from preferred_spellings
    inner join post_counts
        on preferred_spellings.tag_id = post_counts.tag_id

)

select * from final
