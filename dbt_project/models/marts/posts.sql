{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='post_id',
        on_schema_change='fail',
        post_hook=[
            "delete from {{ this }} where post_id not in"
            " (select post_id from {{ ref('int_posts_latest') }})"
        ]
    )
}}

with

posts_latest as (

    select * from {{ ref('int_posts_latest') }}

),

authors_resolved as (

    select * from {{ ref('int_authors_resolved') }}

),

tags_normalized as (

    select * from {{ ref('int_tags_normalized') }}

),

tag_slugs as (

    select * from {{ ref('int_tag_slugs') }}

),

-- incrementally, only posts whose latest version or sightings changed are rebuilt (HTML
-- sanitizing and text extraction are the costly steps)
posts_changed as (

    select * from posts_latest
    {{ not_yet_built('posts_latest', ['version_hash']) }}

),

-- body and summary as plain text, by an HTML parser (text.html_to_text, a plugin function):
-- every entity decoded, script and style dropped, blocks separated, whitespace collapsed
posts_with_text as (

    select
        *,
        html_to_text(content_html) as content_text,
        nullif(html_to_text(summary), '') as summary_text
    from posts_changed

),

posts_with_counts as (

    select
        *,
        case
            when content_text is null or content_text = '' then 0
            else len(string_split(content_text, ' '))
        end::integer as word_count,
        coalesce(
            len(regexp_extract_all(content_html, '(?i)<img\b')), 0
        )::integer as image_count
    from posts_with_text

),

-- of the posts rebuilt only
post_slugs as (

    select distinct
        tags_normalized.post_id,
        tag_slugs.slug
    from tags_normalized
    inner join tag_slugs
        on tags_normalized.tag_id = tag_slugs.tag_id
    where tags_normalized.post_id in (select posts_changed.post_id from posts_changed)

),

-- each post's slugs in order, by a window rather than a list() per group: DuckDB 1.5 cannot
-- spill a hash aggregate of lists, and a full build of a million posts ran out of its memory
-- limit; a window partitions and sorts, which spill
tag_lists as (

    select
        post_id,
        list(slug) over (
            partition by post_id order by slug
            rows between unbounded preceding and unbounded following
        ) as tag_slugs
    from post_slugs
    qualify row_number() over (partition by post_id order by slug) = 1

),

posts_joined as (

    select
        posts.*,
        authors_resolved.author_id,
        coalesce(tag_lists.tag_slugs, []::varchar[]) as tag_slugs
    from posts_with_counts as posts
    left join authors_resolved
        on posts.post_id = authors_resolved.post_id
    left join tag_lists
        on posts.post_id = tag_lists.post_id

),

posts_enriched as (

    select
        *,
        times_seen::integer as times_seen_count,
        -- logical dates, so reruns of a date change nothing
        first_seen_on::timestamp as first_seen_at,
        last_seen_on::timestamp as last_seen_at,
        sanitize_html(content_html) as content_html_sanitized,
        -- a link that is not http(s) (javascript:, data:) is never served to BI
        case when regexp_matches(link, '^https?://', 'i') then link end as link_served,
        md5(content_html) as content_hash,
        case
            when word_count > 0 then greatest(1, ceil(word_count / 230))
            else 0
        end::integer as reading_time_minutes,
        coalesce(enclosure_count, 0)::integer as enclosure_total
    from posts_joined

),

final as (

    select
        -- ids
        post_id,
        feed_id,
        guid,
        author_id,

        -- post
        link_served as url,
        title,
        tag_slugs,

        -- dates: published, else updated, else dc:date; the element used; the text as sent
        published_at,
        published_at_source,
        date_text as published_text,
        has_unparsed_date,
        updated_at,

        -- body: the fullest one, the element it came from, and its text
        summary_text as summary,
        content_html_sanitized as content_html,
        body_source,
        content_text,
        content_hash,

        -- counts
        word_count,
        reading_time_minutes,
        image_count,
        enclosure_total as enclosure_count,
        comments_count,

        -- sightings
        first_seen_on,
        last_seen_on,
        first_seen_at,
        last_seen_at,
        times_seen_count as times_seen,
        is_deleted_from_feed,

        -- change detection
        version_hash

    from posts_enriched

)

select * from final
