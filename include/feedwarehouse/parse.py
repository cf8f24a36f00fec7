"""Parse feed bytes with feedparser into records for the raw layer, keeping every field."""

from __future__ import annotations

import calendar
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser


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


def parse_feed(payload: bytes, *, source: str) -> ParsedFeed:
    """Parse one payload; HTML is kept as the publisher sent it (sanitized later, where served)."""
    # Sanitizing is most of feedparser's cost and would alter the raw record.
    parsed = feedparser.parse(payload, sanitize_html=False, resolve_relative_uris=False)
    bozo_reason = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        raise FeedParseError(
            f"{source}: not a recognizable RSS/Atom feed ({bozo_reason or 'no feed elements'})"
        )
    meta = parsed.feed
    return ParsedFeed(
        title=meta.get("title"),
        link=meta.get("link"),
        subtitle=meta.get("subtitle"),
        language=meta.get("language"),
        generator=meta.get("generator"),
        bozo_reason=bozo_reason,
        feed_json=_to_json({**meta, "version": parsed.get("version")}),
        entries=[_entry(entry) for entry in parsed.entries],
    )


def _entry(entry: Any) -> ParsedEntry:
    content = entry.get("content") or []
    return ParsedEntry(
        guid=entry.get("id") or None,
        link=entry.get("link") or None,
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
