"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) read into the records RSS and
Atom feeds become, so landing, replay, `inspect` and the marts treat it as any other feed.

A payload is a JSON Feed when it is a JSON object whose `version` is a jsonfeed.org version
URL (whatever the Content-Type), or when the server says `application/feed+json` (then a
payload that is not one is an error that says why). Element names in `body_source` and
`published_at_source` are the JSON Feed keys (`content_html`, `date_modified`, …).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from feedwarehouse import text
from feedwarehouse.parse import charset, entry_fields
from feedwarehouse.parse.records import ParsedEntry, ParsedFeed, absolute, base_url, to_json
from feedwarehouse.parse.xml_guard import FeedParseError

_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(\.\d+)?/?$")
JSON_FEED_TYPE = "application/feed+json"


def read(payload: bytes, content_type: str | None, source: str) -> dict[str, Any] | None:
    """The JSON Feed object the payload holds; None if it is not JSON Feed (maybe XML)."""
    declared = JSON_FEED_TYPE in (content_type or "").lower()
    start = payload[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not declared and not start.startswith(b"{"):
        return None
    try:
        document = json.loads(charset.decode(payload, content_type).payload)
    except (ValueError, RecursionError) as exc:
        if declared:
            raise FeedParseError(
                f"{source}: served as {JSON_FEED_TYPE} but not JSON ({exc})"
            ) from None
        return None
    version = document.get("version") if isinstance(document, dict) else None
    if isinstance(version, str) and _VERSION.match(version.strip()):
        return document
    if declared:
        raise FeedParseError(
            f"{source}: served as {JSON_FEED_TYPE} but its `version` is {version!r}, "
            "not https://jsonfeed.org/version/1 or /1.1"
        )
    return None


def parse_document(document: Mapping[str, Any], *, source: str) -> ParsedFeed:
    """A JSON Feed object as the records parse.parse_feed returns."""
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError(f"{source}: a JSON Feed without an `items` list")
    link = _string(document.get("home_page_url"))
    base = base_url(link, source) or base_url(_string(document.get("feed_url")), source)
    language = _string(document.get("language"))
    feed_author = _author_name(document)
    entries = [
        _entry(item, base, language, feed_author) for item in items if isinstance(item, dict)
    ]
    skipped = len(items) - len(entries)
    meta = {key: value for key, value in document.items() if key != "items"}
    return ParsedFeed(
        title=text.title_text(_string(document.get("title")), "text"),
        link=absolute(link, source),
        subtitle=_string(document.get("description")),
        language=language,
        generator=None,
        bozo_reason=f"{skipped} items that are not JSON objects skipped" if skipped else None,
        feed_json=to_json({**meta, "encoding": "utf-8"}),
        entries=entries,
        parsed_by="json",
    )


def _entry(
    item: Mapping[str, Any], base: str | None, language: str | None, feed_author: str | None
) -> ParsedEntry:
    link = _string(item.get("url")) or _string(item.get("external_url"))
    published = _string(item.get("date_published"))
    updated = _string(item.get("date_modified"))
    content_html = _string(item.get("content_html"))
    content_text = _string(item.get("content_text"))
    summary = _string(item.get("summary"))
    if content_html:
        body_html, body_source = content_html, "content_html"
    elif content_text:  # plain text: escaped, its lines kept as lines
        body_html, body_source = html.escape(content_text).replace("\n", "<br>"), "content_text"
    elif summary:
        body_html, body_source = html.escape(summary), "summary"
    else:
        body_html, body_source = None, None
    author = _author_name(item)
    attachments = item.get("attachments")
    identifier = item.get("id")
    return ParsedEntry(
        guid=str(identifier).strip() or None if identifier is not None else None,
        link=absolute(link, base),
        title=text.title_text(_string(item.get("title")), "text"),
        author=author,
        author_name=author or feed_author,
        published=published,
        published_at=_date(published, language),
        updated=updated,
        updated_at=_date(updated, language),
        updated_element="date_modified" if updated else None,
        categories=_tags(item.get("tags")),
        summary=html.escape(summary) if summary else None,
        content=content_html or content_text,
        body_html=body_html,
        body_source=body_source,
        comments_count=None,
        enclosure_count=len(attachments) if isinstance(attachments, list) else 0,
        entry_json=to_json(_with_absolute_urls(item, base)),
    )


def _with_absolute_urls(item: Mapping[str, Any], base: str | None) -> dict[str, Any]:
    """The item as sent, its URLs (url, external_url, image, attachments) made absolute."""
    record = dict(item)
    for key in ("url", "external_url", "image", "banner_image"):
        if _string(record.get(key)):
            record[key] = absolute(record[key], base)
    if isinstance(record.get("attachments"), list):
        record["attachments"] = [
            {**a, "url": absolute(a["url"], base)}
            if isinstance(a, dict) and _string(a.get("url"))
            else a
            for a in record["attachments"]
        ]
    return record


def _author_name(item: Mapping[str, Any]) -> str | None:
    """The first author's name (1.1 `authors`, 1.0 `author`), cleaned as RSS authors are."""
    authors = item.get("authors")
    listed = authors if isinstance(authors, list) else [item.get("author")]
    names = [_string(a.get("name")) for a in listed if isinstance(a, dict)]
    return entry_fields.first_name(names)


def _tags(tags: Any) -> list[str]:
    """A list of strings; some publishers send one comma-separated string instead."""
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list):
        return []
    return [tag.strip() for tag in tags if isinstance(tag, str) and tag.strip()]


def _date(value: str | None, language: str | None) -> datetime | None:
    """RFC 3339 (what the spec asks) as naive UTC, else as lenient as RSS dates are read."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return entry_fields.parse_date(value, None, language)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
