{#-
    The one incremental rule (docs/architecture.md, "Incremental models"): the filter that
    keeps the rows of `input` whose version this incremental model does not hold yet, a version
    being the `columns` named (e.g. ['fetch_id', 'fetched_at']), which this model's rows carry
    as they were when built. Empty on a full build, which takes every row.
-#}
{% macro not_yet_built(input, columns) %}
    {%- set same_version -%}
        {%- for column in columns -%}
            {{ ' and ' if not loop.first }}built.{{ column }} = {{ input }}.{{ column }}
        {%- endfor -%}
    {%- endset %}
    {%- if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as built
            where {{ same_version }}
        )
    {%- endif %}
{% endmacro %}
