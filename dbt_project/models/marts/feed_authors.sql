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

-- the feed's most frequent spelling; ties go to the alphabetically first
preferred_spellings as (

    {{ preferred_spelling('author_posts', ['feed_id', 'author_id'], 'author_name') }}

),

activity as (

    select
        feed_id,
        author_id,
        count(distinct post_id) as post_count,
        min(published_at) as first_post_at,
        max(published_at) as last_post_at
    from author_posts
    group by feed_id, author_id

),

-- the three tags the author uses most in this feed; ties go to the alphabetically first
top_tags as (

    {{ top_tags('author_posts', ['feed_id', 'author_id'], 'tags_normalized', 'tag_slugs') }}

),

final as (

    select
        -- ids
        preferred_spellings.feed_id,
        preferred_spellings.author_id,

        -- author as this feed spells it (named apart from marts.authors' columns, so that
        -- the two join using (author_id) with every column unambiguous)
        preferred_spellings.name as name_in_feed,

        -- activity in this feed
        activity.post_count as posts_in_feed,
        activity.first_post_at as first_post_in_feed_at,
        activity.last_post_at as last_post_in_feed_at,
        coalesce(top_tags.top_tags, []::varchar[]) as top_tags_in_feed

    from preferred_spellings
    inner join activity
        on
            preferred_spellings.feed_id = activity.feed_id
            and preferred_spellings.author_id = activity.author_id
    left join top_tags
        on
            preferred_spellings.feed_id = top_tags.feed_id
            and preferred_spellings.author_id = top_tags.author_id

)

select * from final
