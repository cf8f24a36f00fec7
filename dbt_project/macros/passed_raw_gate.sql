{#-
    The filter that keeps the rows of a raw staging model's `input` whose logical date the raw
    gate did not refuse (stg_quality__raw_gate_refusals: the latest run of a raw suite for the
    date left a critical failure). A refused date's rows stay in raw, out of every build, until
    a rerun passes the gate.
-#}
{% macro passed_raw_gate(input) %}
    where {{ input }}.logical_date not in (
        select refusals.logical_date
        from {{ ref('stg_quality__raw_gate_refusals') }} as refusals
    )
{% endmacro %}
