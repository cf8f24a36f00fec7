with

author_posts as (

    select * from {{ ref('int_author_posts') }}

),

tags_normalized as (

    select * from {{ ref('int_tags_normalized') }}

),

tag_slugs as (

    select * from {{ ref('int_tag_slugs') }}

),

-- the most frequent spelling names the author; ties go to the alphabetically first
preferred_spellings as (

    {{ preferred_spelling('author_posts', ['author_id'], 'author_name') }}

),

activity as (

    select
        author_id,
        count(distinct post_id) as post_count,
        count(distinct feed_id) as feed_count,
        min(published_at) as first_post_at,
        max(published_at) as last_post_at
    from author_posts
    group by author_id

),

tag_uses as (

    select
        author_posts.author_id,
        tag_slugs.slug,
        count(distinct author_posts.post_id) as post_count
    from author_posts
    inner join tags_normalized
        on author_posts.post_id = tags_normalized.post_id
    inner join tag_slugs
        on tags_normalized.tag_id = tag_slugs.tag_id
    group by author_posts.author_id, tag_slugs.slug

),

-- the three tags the author uses most; ties go to the alphabetically first
top_tags as (

    select
        author_id,
        list(slug order by post_count desc, slug asc)[1:3] as top_tags
    from tag_uses
    group by author_id

),

final as (

    select
        -- ids
        preferred_spellings.author_id,

        -- author
        preferred_spellings.name,

        -- activity
        activity.post_count,
        activity.feed_count,
        activity.first_post_at,
        activity.last_post_at,
        coalesce(top_tags.top_tags, []::varchar[]) as top_tags

    from preferred_spellings
    inner join activity
        on preferred_spellings.author_id = activity.author_id
    left join top_tags
        on preferred_spellings.author_id = top_tags.author_id

)

select * from final
