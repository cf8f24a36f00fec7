{#
    URL slug of a (whitespace-collapsed) text expression, equal to Python's
    re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-").
    DuckDB lowercases U+0130 (capital I with dot) to a bare "i" where Python gives "i" plus a
    combining dot (U+0307), so that one character is spelled out first; every other character
    lowercases to the same ASCII letters or digits in both.
#}
{% macro slugify(expression) -%}
    trim(
        regexp_replace(
            lower(replace({{ expression }}, chr(304), 'i' || chr(775))),
            '[^a-z0-9]+',
            '-',
            'g'
        ),
        '-'
    )
{%- endmacro %}
