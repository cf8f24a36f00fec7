"""The records every feed format becomes (RSS, Atom and RDF through feedparser, JSON Feed),
and the helpers both readers share: the base for relative links, and the JSON of a record."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlparse

import msgspec

_WEB_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class ParsedEntry:
    guid: str | None
    link: str | None
    title: str | None
    author: str | None
    author_name: str | None  # resolved: see entry_fields.author_name
    published: str | None
    published_at: datetime | None
    updated: str | None
    updated_at: datetime | None
    updated_element: str | None  # the element `updated` came from: updated, dc:date, …
    categories: list[str]
    summary: str | None
    content: str | None
    body_html: str | None  # the fullest body, from the element named in body_source
    body_source: str | None
    comments_count: int | None
    enclosure_count: int
    entry_json: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    subtitle: str | None
    language: str | None
    generator: str | None
    bozo_reason: str | None
    feed_json: str
    entries: list[ParsedEntry]
    parsed_by: str = "feedparser"  # or "lxml" (the fast path: fast_rss), or "json" (jsonfeed)


def base_url(feed_link: str | None, source: str) -> str | None:
    """Relative entry links resolve against the feed's own (absolute) link, else its URL."""
    for candidate in (absolute(feed_link, source), source):
        if candidate and urlparse(candidate).scheme in ("http", "https"):
            return candidate
    return None


def absolute(link: str | None, base: str | None) -> str | None:
    if not link or link.startswith(_WEB_SCHEMES):  # urlparse's scheme: http(s), as it is
        return link
    if urlparse(link).scheme or not base or urlparse(base).scheme not in ("http", "https"):
        return link
    return urljoin(base, link)


def to_json(value: Any) -> str:
    return json.dumps(value, default=json_default, ensure_ascii=False, sort_keys=True)


def to_json_fast(value: Any) -> str:
    """to_json's very text, by msgspec (sorted keys, then ", " and ": " put in by its formatter):
    half the cost of the json module. For values of str, None, bool, int, dict with str keys,
    list and struct_time only, as the fast path builds them; anything it cannot encode as json
    does (a lone surrogate, a key not a str) goes to to_json. Floats and bytes it would encode
    otherwise: they never reach it (tests/unit/test_records_json.py holds the two equal)."""
    try:
        return _FORMAT(_ENCODER.encode(value), indent=0).decode()
    except (TypeError, UnicodeEncodeError, msgspec.EncodeError):
        return to_json(value)


def _as_list(value: Any) -> Any:
    """A struct_time as json writes it: a list (the C encoder reads a tuple subclass as one)."""
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not encoded on the fast path: {type(value).__name__}")


_ENCODER = msgspec.json.Encoder(enc_hook=_as_list, order="sorted")
_FORMAT = msgspec.json.format


def json_default(value: Any) -> Any:
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
