with

source as (

    select * from {{ source('quality', 'retired_posts') }}

),

renamed as (

    select
        -- ids
        post_id,

        -- the decision
        reason as retired_reason,
        retired_by,

        -- timestamps
        retired_at

    from source

)

select * from renamed
