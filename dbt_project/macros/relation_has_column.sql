{#- Whether the existing relation has the named column (an upgraded table may predate it). -#}
{% macro relation_has_column(relation, column_name) %}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {{ return(column_name in names) }}
{% endmacro %}
