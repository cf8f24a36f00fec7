"""Relative URLs inside a post's HTML body (images, links, media) made absolute.

feedparser can do this itself (resolve_relative_uris), but it runs its HTML processor over every
body and doubles the parse time of a WordPress feed; most bodies hold absolute URLs only, so a
cheap scan picks the few that need the HTML parser (selectolax, as text.py).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from selectolax.lexbor import LexborHTMLParser

_URL_ATTRIBUTES = ("src", "href", "poster")
# in the lower-cased body, an attribute whose value is neither absolute (scheme:) nor a
# fragment (#) nor empty (a data-src= matches too: the parser then finds nothing to change);
# four times faster than the same search ignoring case
_RELATIVE = re.compile(r"""(?:src|href|poster)\s*=\s*["']?(?![a-z][a-z0-9+.-]*:|#|["'\s>])""")
# the same search over a whole (lower-cased, UTF-8) XML payload, matching wherever _RELATIVE
# matches one of its decoded bodies: &quot;, &apos; and &gt; are read as the characters they
# stand for, any other entity where the value starts is not excluded, a non-ASCII byte may be
# whitespace, and a character reference to an ASCII character (it could spell "src" or a
# quote) sends every body to its own search
_PAYLOAD_RELATIVE = tuple(  # one pattern per name: led by a literal, each search is fast
    re.compile(name + rb"""[\s\x1c-\x1f\x80-\xff]*=[\s\x1c-\x1f\x80-\xff]*"""
               rb"""(?:["']|&quot;|&apos;)?(?![a-z][a-z0-9+.-]*:|#|["'\s>]|&(?:quot|apos|gt);)""")
    for name in (b"src", b"href", b"poster")
)  # fmt: skip  # the pattern's two halves read as one regex, not as two arguments
_ASCII_REFERENCE = re.compile(rb"&#(?:x0*[0-7]?[0-9a-f]|0*1?[0-9]{1,2});")


def may_hold_relative(payload: bytes) -> bool:
    """Whether any body of a UTF-8 XML payload may hold a relative URL: one search of the
    payload, instead of one per body (False: absolute_html would return every body as it is)."""
    lowered = payload.lower()
    if _ASCII_REFERENCE.search(lowered):
        return True
    return any(pattern.search(lowered) for pattern in _PAYLOAD_RELATIVE)


def absolute_html(markup: str | None, base: str | None) -> str | None:
    """The body with every relative src/href/poster resolved against `base` (absolute http(s));
    a body without one is returned as it is, byte for byte."""
    if not markup or not base or urlparse(base).scheme not in ("http", "https"):
        return markup
    if not _RELATIVE.search(markup.lower()):
        return markup
    tree = LexborHTMLParser(markup)
    for node in tree.css(", ".join(f"[{name}]" for name in _URL_ATTRIBUTES)):
        for name in _URL_ATTRIBUTES:
            value = node.attributes.get(name)
            if value and not urlparse(value.strip()).scheme and not value.startswith("#"):
                node.attrs[name] = urljoin(base, value.strip())
    body = tree.body
    return body.inner_html if body is not None else markup
