with

tags_normalized as (

    select * from {{ ref('int_tags_normalized') }}

),

-- spellings of one tag on one post count once
final as (

    select distinct
        post_id,
        tag_id
    from tags_normalized

)

select * from final
