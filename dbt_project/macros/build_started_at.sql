{#-
    When this dbt invocation started (dbt's run_started_at, UTC), as a naive timestamp: the
    same for every model of one build, later for each later build. Incremental models stamp
    the rows they write with it, so a model downstream can take the rows written since its own
    last build.
-#}
{% macro build_started_at() -%}
    '{{ run_started_at }}'::timestamp
{%- endmacro %}
