{#
    Decode the HTML entities feeds commonly carry. &amp; is decoded last, so an escaped entity
    ("&amp;lt;") decodes once, to "&lt;". &nbsp; becomes a plain space. Each pattern is a regular
    expression (spellings of one character share a pattern); null stays null.
#}
{% macro decode_html_entities(expression) -%}
    {%- set entities = [
        ('&lt;', '<'),
        ('&gt;', '>'),
        ('&(quot|#34);', '"'),
        ('&(apos|#39|#039);', "''"),
        ('&#8211;', '–'),
        ('&#8212;', '—'),
        ('&#8216;', '‘'),
        ('&#8217;', '’'),
        ('&#8220;', '“'),
        ('&#8221;', '”'),
        ('&#8230;', '…'),
        ('&(nbsp|#160);', ' '),
        ('&amp;', '&'),
    ] -%}
    {%- set decoded = namespace(sql=expression) -%}
    {%- for pattern, character in entities -%}
        {%- set decoded.sql = "regexp_replace(" ~ decoded.sql
            ~ ", '" ~ pattern ~ "', '" ~ character ~ "', 'g')" -%}
    {%- endfor -%}
    {{ decoded.sql }}
{%- endmacro %}
