with

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

authors_resolved as (

    select * from {{ ref('int_authors_resolved') }}

),

-- content as plain text: markup removed first, then entities decoded and whitespace collapsed
posts_untagged as (

    select
        *,
        {{ strip_html_tags('content_html') }} as content_untagged
    from posts_latest

),

posts_with_text as (

    select
        *,
        {{ collapse_whitespace(decode_html_entities('content_untagged')) }} as content_text
    from posts_untagged

),

posts_with_word_counts as (

    select
        *,
        case
            when content_text is null or content_text = '' then 0
            else len(string_split(content_text, ' '))
        end::integer as word_count
    from posts_with_text

),

posts_with_authors as (

    select
        posts.post_id,
        posts.feed_id,
        posts.guid,
        posts.link,
        posts.title,
        authors_resolved.author_id,
        posts.published_at,
        posts.updated_at,
        posts.summary,
        posts.content_html,
        posts.content_text,
        posts.word_count,
        posts.comments_count,
        posts.first_seen_on,
        posts.last_seen_on
    from posts_with_word_counts as posts
    left join authors_resolved
        on posts.post_id = authors_resolved.post_id

),

final as (

    select
        -- ids
        post_id,
        feed_id,
        guid,

        -- post
        link as url,
        title,
        author_id,
        published_at,
        updated_at,

        -- body
        summary,
        content_html,
        content_text,
        word_count,
        comments_count,

        -- sightings
        first_seen_on,
        last_seen_on

    from posts_with_authors

)

select * from final
