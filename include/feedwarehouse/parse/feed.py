"""Parse feed bytes with feedparser into records for the raw layer, keeping every field."""

from __future__ import annotations

import codecs
import io
import re
from html import unescape
from typing import Any

import feedparser
from feedparser.util import FeedParserDict

from feedwarehouse import text
from feedwarehouse.parse import charset, entry_fields, fast_rss, jsonfeed, namespaces, urls
from feedwarehouse.parse.records import (
    ParsedEntry,
    ParsedFeed,
    absolute,
    base_url,
    to_json,
    to_json_fast,
)
from feedwarehouse.parse.xml_guard import FeedParseError, check_entities

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
__all__ = ["FeedParseError", "ParsedEntry", "ParsedFeed", "parse_feed"]
# <link rel="alternate" type="application/rss+xml" href="..."> of an HTML page
_FEED_LINK = re.compile(
    rb"<link\b[^>]*\btype\s*=\s*[\"']?application/(?:rss|atom)\+xml\b[^>]*>", re.I
)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def parse_feed(
    payload: bytes, *, source: str, content_type: str | None = None, fast_path: bool = True
) -> ParsedFeed:
    """Parse one payload; HTML is kept as the publisher sent it (sanitized later, where served).

    `source` is the URL fetched (named in errors, the base of relative links after xml:base
    and the feed's own link); `content_type` is the HTTP header: its charset, and whether the
    payload is a JSON Feed. Titles are plain text (text.title_text).
    """
    payload, nul_note = _without_nuls(payload)
    payload = _without_leading_space(payload)
    json_feed = jsonfeed.read(payload, content_type, source)
    if json_feed is not None:
        return jsonfeed.parse_document(json_feed, source=source)
    decoded = charset.decode(payload, content_type)
    payload = namespaces.normalize(decoded.payload)
    notes = "; ".join(filter(None, (decoded.note, nul_note))) or None
    fast = fast_rss.read(payload) if fast_path else None  # lxml expands and fetches nothing
    fast_json = fast is not None
    # The entity guard before feedparser (or a refusal the fast path must give too). It can only
    # refuse a payload holding "<!ENTITY": one lxml read as UTF-8 is what feedparser would read.
    if fast is None or b"<!ENTITY" in payload:
        check_entities(payload, source=source)
    if fast is not None:
        version, meta, found, scanned = fast.version, fast.feed, fast.entries, fast.elements
        bozo_reason = notes
    else:
        version, meta, found, scanned, bozo_reason = _feedparser_read(payload, source, notes)
    base = base_url(meta.get("link"), source)
    # one search of the payload for a relative URL in any body, not one per body (fast path)
    relative = fast is None or urls.may_hold_relative(payload)
    is_atom = (version or "").startswith("atom")
    return ParsedFeed(
        title=text.title_text(meta.get("title"), _markup(meta, "title_detail", is_atom)),
        link=absolute(meta.get("link"), source),
        subtitle=meta.get("subtitle"),
        language=meta.get("language"),
        generator=meta.get("generator"),
        bozo_reason=bozo_reason,
        feed_json=to_json({**meta, "version": version, "encoding": decoded.encoding}),
        entries=[
            _entry(
                entry, base, meta, scanned[index] if scanned else None, is_atom, relative, fast_json
            )
            for index, entry in enumerate(found)
        ],
        parsed_by="lxml" if fast is not None else "feedparser",
    )


def _feedparser_read(
    payload: bytes, source: str, notes: str | None
) -> tuple[str | None, Any, list[Any], list[entry_fields.EntryElements] | None, str | None]:
    """feedparser's reading: version, feed, entries, entry_scan's labels, the bozo reason."""
    scan = entry_fields.scan_feed(payload)
    # xml:base at every level needs feedparser to start from an absolute base (it drops a
    # relative xml:base inside another): the feed's link, else its URL. Without xml:base the
    # same URLs are resolved afterwards, as cheaply: the base costs feedparser a URL join per
    # element (a quarter of a WordPress feed's parse).
    base = base_url(scan.link, source) if scan is not None and b"xml:base" in payload else None
    # A stream, never the bytes themselves: feedparser first tries bytes as a file name, so a
    # body of "/etc/passwd" or "/dev/zero" would be read from disk. Sanitizing is most of
    # feedparser's cost and would alter the raw record.
    parsed = feedparser.parse(
        io.BytesIO(payload),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": base,
        }
        if base
        else {},
    )
    bozo_reason = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    bozo_reason = bozo_reason or notes
    if not parsed.get("version") and not parsed.entries:
        raise FeedParseError(
            f"{source}: not a recognizable RSS/Atom/JSON feed "
            f"({bozo_reason or 'no feed elements'})" + _feed_link_hint(payload, source)
        )
    scanned = scan.entries if scan is not None else None
    if scanned is not None and len(scanned) != len(parsed.entries):
        scanned = None  # the two parsers saw different entries: trust neither's labels
    return parsed.get("version"), parsed.feed, parsed.entries, scanned, bozo_reason


def count_entries(payload: bytes, *, source: str) -> int:
    """How many entries a payload holds, for paging an archive: one expat pass, not a parse.

    Only a payload expat cannot read (malformed XML, an encoding it lacks) gets the full parse;
    what is not a feed at all counts 0. The raw load parses every landed page once, later.
    """
    try:
        text = namespaces.normalize(charset.decode(payload).payload)
        check_entities(text, source=source)
        scan = entry_fields.scan_feed(text)
        if scan is not None:
            return len(scan.entries)
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
    return f"; it is an HTML page linking to the feed {absolute(target, source)}: use that URL"


def _entry(
    entry: Any,
    base: str | None,
    feed: Any,
    elements: entry_fields.EntryElements | None,
    is_atom: bool,
    relative: bool = True,
    fast_json: bool = False,
) -> ParsedEntry:
    content = entry.get("content") or []
    link = entry.get("link") or None
    # feedparser copies a permalink guid into a missing link; a relative one is no URL
    from_guid = entry.get("guidislink") and link == entry.get("id")
    guid = (elements.texts.get("guid", "").strip() if elements else "") or entry.get("id")
    if elements is not None and guid:  # the guid as sent, not as feedparser resolved it
        entry["id"] = guid
    link = guid if from_guid else absolute(link, base)
    if link and not from_guid:  # the raw record's URLs absolute too
        entry["link"] = link
    _absolute_record(entry, base)
    language = feed.get("language")
    body = entry_fields.choose_body(entry, elements, is_atom)
    # dict.get: FeedParserDict.get falls back from a missing `updated` to `published`
    updated = dict.get(entry, "updated")
    return ParsedEntry(
        guid=guid or None,
        link=link,
        title=text.title_text(entry.get("title"), _markup(entry, "title_detail", is_atom)),
        author=entry.get("author"),
        author_name=entry_fields.author_name(entry, feed, is_atom, elements),
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
        body_html=urls.absolute_html(body.html, _body_base(entry, base)) if relative else body.html,
        body_source=body.source,
        comments_count=_int(entry.get("slash_comments")),
        enclosure_count=_enclosure_count(entry),
        # the fast path's values are those to_json_fast encodes as to_json does (and faster)
        entry_json=to_json_fast(entry) if fast_json else to_json(entry),
    )


def _enclosure_count(entry: Any) -> int:
    """len(entry["enclosures"]) as FeedParserDict has it (its links of rel "enclosure"); a fast
    path entry is a plain dict, whose links each have a rel."""
    if isinstance(entry, FeedParserDict):
        return len(entry.get("enclosures", []))
    return sum(link["rel"] == "enclosure" for link in entry.get("links", ()))


def _absolute_record(entry: Any, base: str | None) -> None:
    """Enclosure, link, image and media URLs of the raw record made absolute."""
    image = entry.get("image")
    hrefs = [*entry.get("links", []), *([image] if isinstance(image, dict) else [])]
    for item in hrefs:
        if item.get("href"):
            item["href"] = absolute(item["href"], base)
    for item in [*entry.get("media_content", []), *entry.get("media_thumbnail", [])]:
        if isinstance(item, dict) and item.get("url"):
            item["url"] = absolute(item["url"], base)


def _body_base(entry: Any, base: str | None) -> str | None:
    """The xml:base in effect where the body was (feedparser tracks it), made absolute."""
    detail = (entry.get("content") or [None])[0] or entry.get("summary_detail") or {}
    return absolute(detail.get("base"), base) or base


def _markup(item: Any, detail: str, is_atom: bool) -> str:
    """How to read a title: "html" when it is typed (or feedparser found) HTML, else as text
    in Atom (typed text) and by guess in RSS (which does not say)."""
    kind = (item.get(detail) or {}).get("type") or ""
    if kind in ("text/html", "application/xhtml+xml"):
        return "html"
    return "text" if is_atom else "guess"


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _describe(exc: BaseException | None) -> str | None:
    return None if exc is None else f"{type(exc).__name__}: {exc}"
