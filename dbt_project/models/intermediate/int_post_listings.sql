with

entries_flagged as (

    select * from {{ ref('int_entries_flagged') }}

),

-- valid listings only: no rows without entry, no defects, no exact repeats
valid_listings as (

    select
        * exclude (
            entry_hash, defect_reason, is_exact_duplicate, has_entry, is_valid, built_at
        )
    from entries_flagged
    where is_valid

)

select * from valid_listings
