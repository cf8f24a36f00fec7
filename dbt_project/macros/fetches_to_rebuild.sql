{#-
    The filter of an incremental model keyed on fetch_id over `fetches` (rows with fetch_id,
    logical_date and fetched_at): the fetches of the last `lookback_days` logical dates before
    the newest one built in {{ this }}, and any fetch not yet built as it is now (a fetch_id
    unseen, or seen with another fetched_at: a rerun, reload or backfill). One rule for every
    model that rebuilds per fetch, so they rebuild the same fetches. Empty on a full build.
-#}
{% macro fetches_to_rebuild(fetches) %}
    {%- if is_incremental() %}
        where
            {{ fetches }}.logical_date >= (
                select max(built.logical_date) - {{ var('lookback_days') }}::integer
                from {{ this }} as built
            )
            or not exists (
                select 1
                from {{ this }} as built
                where
                    built.fetch_id = {{ fetches }}.fetch_id
                    and built.fetched_at = {{ fetches }}.fetched_at
            )
    {%- endif %}
{% endmacro %}
