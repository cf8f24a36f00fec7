{#
    Trim a text expression and collapse every run of whitespace inside it to one space.
    The class is exactly what Python's str.split() treats as whitespace (RE2's \s is ASCII-only),
    so the result equals Python's " ".join(value.split()). Empty input gives '', null stays null.
#}
{% macro collapse_whitespace(expression) -%}
    trim(regexp_replace(
        {{ expression }},
        '[\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+',
        ' ',
        'g'
    ))
{%- endmacro %}
