"""The steps feedparser's strict parser applies to an element's text, for the parse fast path.

Each mirrors a named part of feedparser (mixin._FeedParserMixin.pop, _add_tag,
_sync_author_detail, _start_link) for a document without xml:base or xml:lang, read as UTF-8:
the base is "" and the language None in every detail. feedparser's own helpers are called
where it has them (its URL join, HTML guess), so the two cannot drift apart there; dates go
through fast_dates (feedparser's reading, a plain RFC 822 date read by one pattern).
Plain dicts where feedparser builds FeedParserDicts (the JSON and every key read after are the
same); fast_rss makes the feed one at the end. An entry stays a plain dict: feed._entry reads a
dozen keys of each, a third of the cost as a dict's, and counts its enclosures from its links.
"""

from __future__ import annotations

import re
import time
from typing import Any

from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin

from feedwarehouse.parse.fast_dates import parse_date

# C1 controls in UTF-8, and as character references (two searches each led by a literal: fast)
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:0*(?:12[89]|1[34][0-9]|15[0-9])|x0*[89][0-9a-fA-F]);")
_QUERY_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_HTML_TYPES = _FeedParserMixin.html_types
# _sync_author_detail's address pattern, as feedparser writes it
_EMAIL = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)


class Declined(Exception):
    """The fast path does not read this document exactly as feedparser does."""


def value(text: str, *, relative: bool = False) -> str:
    """pop(): stripped; a URL element joined to the (empty) base; the UTF-8 mojibake repair."""
    output = text.strip()
    if relative and ":///" in output:  # else _urljoin("", output) is the output itself
        output = _urljoin("", output)
    return output if output.isascii() else _repaired(output)  # ASCII: no call (most values)


def _repaired(output: str) -> str:
    """feedparser's repair of UTF-8 read as iso-8859-1, which it applies to every UTF-8 document.

    Its next step, C1 controls read as windows-1252, never applies: fast_rss declines a
    document that may hold one (may_hold_c1).
    """
    if output.isascii():
        return output
    try:
        return output.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return output


def may_hold_c1(payload: bytes) -> bool:
    """Whether a UTF-8 document holds a C1 control (U+0080-U+009F), as UTF-8 or a reference:
    feedparser reads those as windows-1252 (its _cp1252 table)."""
    return bool(_C1_UTF8.search(payload) or _C1_REFERENCE.search(payload))


def content(text: str, default_type: str) -> tuple[str, dict[str, Any]]:
    """A text construct (title, description, content:encoded): its value and its _detail.

    RSS does not type its text, so feedparser types a text/plain one HTML when it looks so.
    """
    output = text.strip()
    kind = default_type
    if kind == "text/plain" and _FeedParserMixin.looks_like_html(output):
        kind = "text/html"
    output = _repaired(output)
    return output, {"type": kind, "language": None, "base": "", "value": output}


def feed_link(text: str, feed_level: bool) -> str:
    """A <link>'s text as feedparser stores it: an entry's with &amp; undone, then &name; as
    &name (its fix for query strings)."""
    output = value(text, relative=True)
    if not feed_level:
        output = output.replace("&amp;", "&")
    return _QUERY_ENTITY.sub(r"&\1", output) if "&" in output else output


def link_attributes(attributes: dict[str, str], *, enclosure: bool = False) -> dict[str, str]:
    """An atom:link's or enclosure's attributes as _start_link / _start_enclosure keep them."""
    if any(name.startswith("{") for name in attributes):
        raise Declined("a namespaced attribute")
    link: dict[str, str] = {}
    for name, text in attributes.items():
        key = name.lower()
        link[key] = text.lower() if key in ("rel", "type") else text
    href = link.get("url", link.get("uri", link.get("href")))
    if href:
        link.pop("url", None)
        link.pop("uri", None)
        link["href"] = href
    if enclosure:
        link["rel"] = "enclosure"
        return link
    if "href" not in link:
        raise Declined("a link without href")  # feedparser would read its text as the link
    link.setdefault("rel", "alternate")
    link.setdefault("type", "application/atom+xml" if link["rel"] == "self" else "text/html")
    link["href"] = _urljoin("", link["href"])
    return link


def date_pair(text: str) -> tuple[str, time.struct_time | None]:
    output = value(text)
    return output, parse_date(output)


def add_tag(context: Any, text: str, scheme: str | None) -> None:
    """_start_category then _end_category: a domain opens a tag the text names."""
    tags = context.setdefault("tags", [])
    if scheme:
        _add(tags, None, scheme)
    term = value(text)
    if not term:
        return
    if tags and not tags[-1]["term"]:
        tags[-1]["term"] = term
    else:
        _add(tags, term, None)


def _add(tags: list[Any], term: str | None, scheme: str | None) -> None:
    tag = {"term": term, "scheme": scheme, "label": None}
    if tag not in tags:
        tags.append(tag)


def sync_author(context: Any) -> None:
    """_sync_author_detail for an author given as text (dc:creator, <author>)."""
    detail = context["authors"][-1]
    author, email = context.get("author"), None
    if not author:
        return
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author or email:
        context.setdefault("author_detail", detail)
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email
