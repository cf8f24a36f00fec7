"""Parse feed bytes with feedparser into records for the raw layer, keeping every field."""

from __future__ import annotations

import codecs
import io
import json
import re
import time
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlparse

import feedparser

from feedwarehouse.parse import entry_fields
from feedwarehouse.parse.xml_guard import FeedParseError, check_entities

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
__all__ = ["FeedParseError", "ParsedEntry", "ParsedFeed", "parse_feed"]
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
# <link rel="alternate" type="application/rss+xml" href="..."> of an HTML page
_FEED_LINK = re.compile(
    rb"<link\b[^>]*\btype\s*=\s*[\"']?application/(?:rss|atom)\+xml\b[^>]*>", re.I
)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


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


def parse_feed(payload: bytes, *, source: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one payload; HTML is kept as the publisher sent it (sanitized later, where served).

    `source` is the URL fetched (named in errors, the base for relative links when the feed
    has no absolute link); `content_type` is the HTTP header, used only for its charset.
    """
    payload, nul_note = _without_nuls(payload)
    payload = _without_leading_space(payload)
    payload, headers, encoding_note = _decoding(payload, content_type)
    check_entities(payload, source=source, headers=headers)
    # A stream, never the bytes themselves: feedparser first tries bytes as a file name, so a
    # body of "/etc/passwd" or "/dev/zero" would be read from disk. Sanitizing is most of
    # feedparser's cost and would alter the raw record.
    parsed = feedparser.parse(
        io.BytesIO(payload),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers=headers,
    )
    bozo_reason = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    bozo_reason = bozo_reason or "; ".join(filter(None, (encoding_note, nul_note))) or None
    if not parsed.get("version") and not parsed.entries:
        raise FeedParseError(
            f"{source}: not a recognizable RSS/Atom feed ({bozo_reason or 'no feed elements'})"
            + _feed_link_hint(payload, source)
        )
    meta = parsed.feed
    base = _base_url(meta.get("link"), source)
    version = parsed.get("version") or ""
    is_atom = version.startswith("atom")
    scanned = entry_fields.scan_entries(payload)
    if scanned is not None and len(scanned) != len(parsed.entries):
        scanned = None  # the two parsers saw different entries: trust neither's labels
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
        entries=[
            _entry(entry, base, meta, scanned[index] if scanned else None, is_atom)
            for index, entry in enumerate(parsed.entries)
        ],
    )


def count_entries(payload: bytes, *, source: str) -> int:
    """How many entries a payload holds, for paging an archive: one expat pass, not a parse.

    Only a payload expat cannot read (malformed XML, an encoding it lacks) gets the full parse;
    what is not a feed at all counts 0. The raw load parses every landed page once, later.
    """
    try:
        check_entities(payload, source=source)
        scanned = entry_fields.scan_entries(payload)
        if scanned is not None:
            return len(scanned)
        return len(parse_feed(payload, source=source).entries)
    except FeedParseError:
        return 0


def _without_nuls(payload: bytes) -> tuple[bytes, str | None]:
    """NUL bytes removed from an 8-bit or UTF-8 payload: XML allows none, nor do most consumers.

    Left in, they push feedparser onto its lenient parser and into the warehouse's strings.
    """
    wide = b"\x00" in payload[:4] or payload.startswith(_BOMS[1:])
    if wide or b"\x00" not in payload:
        return payload, None
    count = payload.count(b"\x00")
    return payload.replace(b"\x00", b""), f"removed {count} NUL bytes (XML allows none)"


def _without_leading_space(payload: bytes) -> bytes:
    """Whitespace before the XML declaration (a stray newline from a template) is dropped:
    XML forbids it, and it sends feedparser to its lenient parser. A BOM stays in front."""
    bom = codecs.BOM_UTF8 if payload.startswith(codecs.BOM_UTF8) else b""
    rest = payload[len(bom) :]
    stripped = rest.lstrip(b" \t\r\n")
    if len(stripped) == len(rest) or not stripped.startswith(b"<?xml"):
        return payload
    return bom + stripped


def _feed_link_hint(payload: bytes, source: str) -> str:
    """For an HTML page that advertises its feed, where the feed is: the likely fix."""
    link = _FEED_LINK.search(payload)
    href = _HREF.search(link.group(0)) if link else None
    if href is None:
        return ""
    target = unescape(next(filter(None, href.groups())).decode("utf-8", "replace"))
    return f"; it is an HTML page linking to the feed {_absolute(target, source)}: use that URL"


def _decoding(payload: bytes, content_type: str | None) -> tuple[bytes, dict[str, str], str | None]:
    """The bytes and headers to give feedparser, and a note when the encoding had to be assumed.

    A BOM, or an XML declaration the bytes actually decode with, or valid UTF-8 (XML's
    default) wins over the HTTP charset: servers often send a wrong default charset. UTF-8
    with a few corrupt bytes stays UTF-8, those bytes replaced with U+FFFD (as browsers do),
    rather than every other non-ASCII character of the feed being misread. Failing those, the
    HTTP charset; failing that, windows-1252 (what browsers assume) rather than a statistical
    guess that varies with the text.
    """
    if payload.startswith(_BOMS):
        return payload, {}, None
    declared = _XML_ENCODING.match(payload[:512])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    if _decodes(payload, encoding):
        return payload, {}, None
    if _is_utf8(encoding):
        text, replaced = _mostly_utf8(payload)
        if text is not None:
            note = (
                f"CharacterEncodingOverride: {replaced} invalid {encoding} byte sequences "
                "replaced with U+FFFD"
            )
            return text.encode("utf-8"), {}, note
    charset = re.search(r"charset=[\"']?([A-Za-z0-9._:-]+)", content_type or "", re.IGNORECASE)
    if charset and _decodes(payload, charset.group(1)):
        return payload, {"content-type": str(content_type)}, None
    note = (
        f"CharacterEncodingOverride: not valid {encoding} and no usable charset; "
        "read as windows-1252"
    )
    return payload, {"content-type": "application/xml; charset=windows-1252"}, note


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _mostly_utf8(payload: bytes) -> tuple[str | None, int]:
    """The payload as UTF-8 text if its invalid sequences are outnumbered by valid non-ASCII ones.

    Text in a single-byte charset (Latin-1, windows-1252) almost never forms valid multi-byte
    UTF-8, so it fails this test and keeps the charset fallback.
    """
    text = payload.decode("utf-8", "replace")
    replaced = text.count("\ufffd") - payload.count("\ufffd".encode())
    valid_non_ascii = len(text) - len(text.encode("ascii", "ignore")) - replaced
    return (text if 0 < replaced <= valid_non_ascii else None), replaced


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


def _entry(
    entry: Any,
    base: str | None,
    feed: Any,
    elements: entry_fields.EntryElements | None,
    is_atom: bool,
) -> ParsedEntry:
    content = entry.get("content") or []
    link = entry.get("link") or None
    # feedparser copies a permalink guid into a missing link; a relative one is no URL
    from_guid = entry.get("guidislink") and link == entry.get("id")
    language = feed.get("language")
    body = entry_fields.choose_body(entry, elements, is_atom)
    # dict.get: FeedParserDict.get falls back from a missing `updated` to `published`
    updated = dict.get(entry, "updated")
    return ParsedEntry(
        guid=entry.get("id") or None,
        link=link if from_guid else _absolute(link, base),
        title=entry.get("title"),
        author=entry.get("author"),
        author_name=entry_fields.author_name(entry, feed, is_atom),
        published=entry.get("published"),
        published_at=entry_fields.parse_date(
            entry.get("published"), entry.get("published_parsed"), language
        ),
        updated=updated,
        updated_at=entry_fields.parse_date(updated, dict.get(entry, "updated_parsed"), language),
        updated_element=entry_fields.updated_element(elements, is_atom) if updated else None,
        categories=[tag["term"] for tag in entry.get("tags", []) if tag.get("term")],
        summary=entry_fields.summary_of(entry, elements),
        content=content[0].get("value") if content else None,
        body_html=body.html,
        body_source=body.source,
        comments_count=_int(entry.get("slash_comments")),
        enclosure_count=len(entry.get("enclosures", [])),
        entry_json=_to_json(entry),
    )


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
