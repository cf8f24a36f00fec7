"""Parse feed bytes with feedparser into records for the raw layer, keeping every field."""

from __future__ import annotations

import calendar
import codecs
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlparse

import feedparser

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CDATA_OR_COMMENT = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)
_ENTITY_DECL = re.compile(rb"<!ENTITY[^>]*>")
# the only declarations allowed: a name for one character, e.g. <!ENTITY nbsp "&#160;">
_CHAR_ENTITY = re.compile(
    rb"""<!ENTITY\s+[A-Za-z_][\w.-]*\s+(["'])&#(?:[0-9]+|x[0-9A-Fa-f]+);\1\s*>"""
)


class FeedParseError(ValueError):
    """The payload is not a feed feedparser could recover."""


@dataclass(frozen=True)
class ParsedEntry:
    guid: str | None
    link: str | None
    title: str | None
    author: str | None
    published: str | None
    published_at: datetime | None
    updated: str | None
    updated_at: datetime | None
    categories: list[str]
    summary: str | None
    content: str | None
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


def parse_feed(payload: bytes, *, source: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one payload; HTML is kept as the publisher sent it (sanitized later, where served).

    `source` is the URL fetched (named in errors, the base for relative links when the feed
    has no absolute link); `content_type` is the HTTP header, used only for its charset.
    """
    check_entities(payload, source=source)
    headers, encoding_note = _charset_headers(payload, content_type)
    # Sanitizing is most of feedparser's cost and would alter the raw record.
    parsed = feedparser.parse(
        payload, sanitize_html=False, resolve_relative_uris=False, response_headers=headers
    )
    bozo_reason = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    bozo_reason = bozo_reason or encoding_note
    if not parsed.get("version") and not parsed.entries:
        raise FeedParseError(
            f"{source}: not a recognizable RSS/Atom feed ({bozo_reason or 'no feed elements'})"
        )
    meta = parsed.feed
    base = _base_url(meta.get("link"), source)
    return ParsedFeed(
        title=meta.get("title"),
        link=_absolute(meta.get("link"), source),
        subtitle=meta.get("subtitle"),
        language=meta.get("language"),
        generator=meta.get("generator"),
        bozo_reason=bozo_reason,
        feed_json=_to_json(
            {**meta, "version": parsed.get("version"), "encoding": parsed.get("encoding")}
        ),
        entries=[_entry(entry, base) for entry in parsed.entries],
    )


def check_entities(payload: bytes, *, source: str) -> None:
    """Refuse DOCTYPEs declaring entities other than single characters, before any parser.

    Entity expansion ("billion laughs") and external entities (file:///etc/passwd) are attacks,
    never feed content. feedparser strips such declarations today; this guard does not rely on it.
    """
    text = payload
    if payload.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or payload[:2] in (
        b"<\x00",
        b"\x00<",
    ):
        codec = (
            "utf-16" if payload[:2] in _BOMS[1:] else ("utf-16-le" if payload[0] else "utf-16-be")
        )
        text = payload.decode(codec, "replace").encode("utf-8")
    if b"<!DOCTYPE" not in text or b"<!ENTITY" not in text:
        return
    for declaration in _ENTITY_DECL.findall(_CDATA_OR_COMMENT.sub(b"", text)):
        if not _CHAR_ENTITY.fullmatch(declaration):
            shown = declaration[:80].decode("utf-8", "replace")
            raise FeedParseError(
                f"{source}: refused: the DOCTYPE declares an XML entity ({shown}); entity "
                "expansion and external entities are unsafe and never needed by a feed"
            )


def _charset_headers(payload: bytes, content_type: str | None) -> tuple[dict[str, str], str | None]:
    """The headers to give feedparser, and a note when the encoding had to be assumed.

    A BOM, or an XML declaration the bytes actually decode with, or valid UTF-8 (XML's
    default) wins over the HTTP charset: servers often send a wrong default charset. Failing
    those, the HTTP charset; failing that, windows-1252 (what browsers assume) rather than a
    statistical guess that varies with the text.
    """
    if payload.startswith(_BOMS):
        return {}, None
    declared = _XML_ENCODING.match(payload[:512])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    if _decodes(payload, encoding):
        return {}, None
    charset = re.search(r"charset=[\"']?([A-Za-z0-9._:-]+)", content_type or "", re.IGNORECASE)
    if charset and _decodes(payload, charset.group(1)):
        return {"content-type": str(content_type)}, None
    note = (
        f"CharacterEncodingOverride: not valid {encoding} and no usable charset; "
        "read as windows-1252"
    )
    return {"content-type": "application/xml; charset=windows-1252"}, note


def _decodes(payload: bytes, encoding: str) -> bool:
    try:
        payload.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _base_url(feed_link: str | None, source: str) -> str | None:
    """Relative entry links resolve against the feed's own (absolute) link, else its URL."""
    for candidate in (_absolute(feed_link, source), source):
        if candidate and urlparse(candidate).scheme in ("http", "https"):
            return candidate
    return None


def _absolute(link: str | None, base: str | None) -> str | None:
    if not link:
        return link
    if urlparse(link).scheme or not base or urlparse(base).scheme not in ("http", "https"):
        return link
    return urljoin(base, link)


def _entry(entry: Any, base: str | None) -> ParsedEntry:
    content = entry.get("content") or []
    link = entry.get("link") or None
    # feedparser copies a permalink guid into a missing link; a relative one is no URL
    from_guid = entry.get("guidislink") and link == entry.get("id")
    return ParsedEntry(
        guid=entry.get("id") or None,
        link=link if from_guid else _absolute(link, base),
        title=entry.get("title"),
        author=entry.get("author"),
        published=entry.get("published"),
        published_at=_utc(entry.get("published_parsed")),
        # dict.get: FeedParserDict.get falls back from a missing `updated` to `published`
        updated=dict.get(entry, "updated"),
        updated_at=_utc(dict.get(entry, "updated_parsed")),
        categories=[tag["term"] for tag in entry.get("tags", []) if tag.get("term")],
        summary=entry.get("summary"),
        content=content[0].get("value") if content else None,
        comments_count=_int(entry.get("slash_comments")),
        enclosure_count=len(entry.get("enclosures", [])),
        entry_json=_to_json(entry),
    )


def _utc(value: time.struct_time | None) -> datetime | None:
    """feedparser's parsed dates are UTC struct_times; keep them as naive UTC datetimes."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).replace(tzinfo=None)
    except (OverflowError, ValueError, OSError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _describe(exc: BaseException | None) -> str | None:
    return None if exc is None else f"{type(exc).__name__}: {exc}"


def _to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
