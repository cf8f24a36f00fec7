-- the logical dates whose raw gate said no: the latest run of some raw suite
-- (expectations/raw_*.json) for the date left a critical failure. Their raw rows stay out of
-- every build until a rerun passes the gate (the marts' incremental rule then builds them).
with

raw_gate_runs as (

    select * from {{ source('quality', 'validation_runs') }}
    where starts_with(suite, 'raw_')

),

latest_runs as (

    select
        logical_date,
        suite,
        arg_max(run_id, validated_at) as run_id
    from raw_gate_runs
    group by logical_date, suite

),

refused as (

    select distinct raw_gate_runs.logical_date
    from raw_gate_runs
    inner join latest_runs
        on
            raw_gate_runs.logical_date = latest_runs.logical_date
            and raw_gate_runs.suite = latest_runs.suite
            and raw_gate_runs.run_id = latest_runs.run_id
    where raw_gate_runs.severity = 'critical' and not raw_gate_runs.success

)

select * from refused
