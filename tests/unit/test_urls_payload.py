"""urls.may_hold_relative: one search of a whole payload must find every body in which
absolute_html would change a URL, however the body is escaped in the XML."""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape

import pytest

from feedwarehouse.parse import urls
from feedwarehouse.parse.feed import parse_feed

SOURCE = "http://127.0.0.1:8000/feeds/feed.xml"
NAMES = ("src", "SRC", "href", "Href", "poster")
GAPS = ("", " ", "\u00a0", "\t\n")  # between the name, "=" and the value
QUOTES = ('"', "'", "")
VALUES = ("/img/a.png", "a.png", "../b", "?q=1", "%20x", "\u00e9t\u00e9.png", "&amp;x=1")
ABSOLUTE = ("https://cdn.example.com/a.png", "#top", "mailto:x@example.com", "data:x", "")


def _payload(html: str, how: str) -> bytes:
    if how == "cdata":
        body = f"<![CDATA[{html}]]>"
    elif how == "escaped":
        body = escape(html, {'"': "&quot;", "'": "&apos;"})
    else:  # every ASCII character of the body as a character reference
        body = "".join(f"&#{ord(c)};" if c.isascii() else c for c in html)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>T</title><link>http://127.0.0.1:8000/</link>"
        f"<item><title>A</title><guid>g</guid><description>{body}</description></item>"
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize("how", ["cdata", "escaped", "references"])
def test_every_body_absolute_html_changes_is_found_in_its_payload(how: str) -> None:
    changed = 0
    for name, gap, quote, value in itertools.product(NAMES, GAPS, QUOTES, VALUES + ABSOLUTE):
        html = f"<p><img {name}{gap}={gap}{quote}{value}{quote}> x</p>"
        payload = _payload(html, how)
        body = parse_feed(payload, source=SOURCE).entries[0].summary
        if urls.absolute_html(body, "http://127.0.0.1:8000/") != body:
            changed += 1
            assert urls.may_hold_relative(payload), (how, html)
    assert changed > 100  # the search was held to bodies that do change


def test_a_payload_of_absolute_urls_only_needs_no_body_search() -> None:
    html = '<p><a href="https://example.com/x">x</a><img src="#top"> <video poster=""></p>'
    for how in ("cdata", "escaped"):
        assert not urls.may_hold_relative(_payload(html, how))
    assert urls.may_hold_relative(_payload('<a href="/x">x</a>', "escaped"))
