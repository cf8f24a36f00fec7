with

posts as (

    select * from {{ ref('posts') }}

),

dated_posts as (

    select
        feed_id,
        post_id,
        author_id,
        word_count,
        published_at::date as post_on
    from posts
    where published_at is not null

),

-- every day from the feed's first post to its last, so days without posts show as zero
final as (

    {{ zero_filled_daily_counts('dated_posts', ['feed_id'], {
        'posts_on_day': 'count(*)',
        'authors_on_day': 'count(distinct author_id)',
        'words_on_day': 'sum(word_count)::bigint'
    }) }}

)

select * from final
