with

authors_resolved as (

    select * from {{ ref('int_authors_resolved') }}

),

spellings as (

    select
        author_id,
        author_name,
        count(*) as post_count
    from authors_resolved
    group by author_id, author_name

),

-- the most frequent spelling names the author; ties go to the alphabetically first
preferred_spellings as (

    select
        author_id,
        author_name as name
    from spellings
    qualify row_number() over (
        partition by author_id
        order by post_count desc, author_name asc
    ) = 1

),

post_counts as (

    select
        author_id,
        count(distinct post_id) as post_count
    from authors_resolved
    group by author_id

),

final as (

    select
        -- ids
        preferred_spellings.author_id,

        -- author
        preferred_spellings.name,

        -- counts
        post_counts.post_count

    from preferred_spellings
    inner join post_counts
        on preferred_spellings.author_id = post_counts.author_id

)

select * from final
