{#
    An HTML expression with its markup removed: script/style bodies and comments dropped,
    block-level tags turned into spaces (so paragraphs don't run together) and every other tag
    removed. Entities are left encoded (see decode_html_entities). Null stays null.
#}
{% macro strip_html_tags(expression) -%}
    {%- set block_tags = 'address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure'
        ~ '|footer|h[1-6]|header|hr|li|ol|p|pre|section|table|td|th|tr|ul' -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                {{ expression }},
                '(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->',
                ' ',
                'g'
            ),
            '(?i)</?({{ block_tags }})\b[^>]*>',
            ' ',
            'g'
        ),
        '<[^>]*>',
        '',
        'g'
    )
{%- endmacro %}
