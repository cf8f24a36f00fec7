with

entries_flagged as (

    select * from {{ ref('int_entries_flagged') }}

),

retired_posts as (

    select * from {{ ref('stg_quality__retired_posts') }}

),

-- valid listings only: no rows without entry, no defects, no exact repeats, and no post
-- retired by `feedwarehouse retire` (the incremental models' post-hooks then drop it)
valid_listings as (

    select
        * exclude (
            entry_hash, defect_reason, is_exact_duplicate, has_entry, is_valid,
            is_past_break, is_not_well_formed
        )
    from entries_flagged
    where
        is_valid
        and post_id not in (select retired_posts.post_id from retired_posts)

)

select * from valid_listings
