"""`feedwarehouse inspect`: per entry of one feed, what it becomes in the marts, and why.

It reads the feed exactly as the pipeline does (parse.parse_feed, the text functions the dbt
plugin registers) and applies the marts' choices, so a data engineer sees at once why a
publisher's posts look odd: which element gave the date, the body and the author, and which
tags and slugs the categories become. The marts' checks (quarantine) and slug suffixes for
colliding tags need the whole warehouse and are named, not applied.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from feedwarehouse import text
from feedwarehouse.extract.fetch import fetch_url
from feedwarehouse.extract.fetch_policy import default_policy
from feedwarehouse.parse.entry_fields import AUTHOR_PRECEDENCE, BODY_PRECEDENCE, post_date
from feedwarehouse.parse.feed import ParsedEntry, ParsedFeed, parse_feed

FIRST_WORDS = 12


class InspectError(RuntimeError):
    """The feed could not be read or parsed; the message says why."""


def read_feed(source: str, *, allow_private_host: bool = False) -> ParsedFeed:
    """Parse a feed from a URL (fetched as extract would) or a local file."""
    if "://" not in source:
        path = Path(source).expanduser()
        try:
            payload, content_type, name = path.read_bytes(), None, path.resolve().as_uri()
        except OSError as exc:
            raise InspectError(f"{source}: cannot read the file ({exc.strerror})") from None
    else:
        policy = default_policy()
        if allow_private_host:
            policy = replace(policy, allow_private=True)
        result = fetch_url(source, policy)
        if not result.ok or result.body is None:
            raise InspectError(result.error or f"{source}: no body")
        payload, content_type, name = result.body, result.headers.get("content-type"), source
    try:
        return parse_feed(payload, source=name, content_type=content_type)
    except ValueError as exc:
        raise InspectError(str(exc)) from None


def describe_feed(feed: ParsedFeed) -> str:
    """The whole report: the feed, then one block per entry."""
    meta = json.loads(feed.feed_json)
    head = [
        f"feed: {feed.title or '(untitled)'}  link: {feed.link or '-'}  "
        f"language: {feed.language or '-'}  entries: {len(feed.entries)}",
        f"  format {meta.get('version') or '-'}, read as {meta.get('encoding') or '-'}",
        f"  body from the first of: {', '.join(BODY_PRECEDENCE)}",
        f"  author from the first of: {', '.join(AUTHOR_PRECEDENCE)}, the feed's author",
    ]
    if feed.bozo_reason:
        head.append(f"  parser note: {feed.bozo_reason}")
    shared = _shared_links(feed.entries)
    blocks = [
        "\n".join(_describe_entry(index, entry, shared)) for index, entry in enumerate(feed.entries)
    ]
    return "\n\n".join(["\n".join(head), *blocks])


def _shared_links(entries: list[ParsedEntry]) -> set[str]:
    """Links that entries without guid share with other titles or dates (int_entries_identified:
    those entries are told apart by title and date)."""
    listings: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for entry in entries:
        if not (entry.guid or "").strip() and (entry.link or "").strip():
            listings[entry.link.strip()].add((entry.title or "", entry.published or ""))
    return {link for link, seen in listings.items() if len(seen) > 1}


def _describe_entry(index: int, entry: ParsedEntry, shared: set[str]) -> Iterator[str]:
    yield f"#{index}  {entry.title or '(no title)'}"
    yield f"  identity  {_identity(entry, shared)}"
    yield f"  url       {entry.link or '(none)'}" + (
        ""
        if not entry.link or entry.link.startswith(("http://", "https://"))
        else "  -> null in marts.posts (not http/https)"
    )
    yield f"  date      {_date(entry)}"
    yield f"  body      {_body(entry)}"
    summary = text.html_to_text(entry.summary) or None
    yield f"  summary   {_quoted(summary) if summary else '(none)'}"
    yield f"  author    {_author(entry)}"
    yield f"  tags      {_tags(entry)}"


def _identity(entry: ParsedEntry, shared: set[str]) -> str:
    if entry.guid and entry.guid.strip():
        return f"guid {entry.guid.strip()}"
    if entry.link and entry.link.strip() in shared:
        return f"link {entry.link.strip()} + title + published text (no guid; link shared)"
    if entry.link and entry.link.strip():
        return f"link {entry.link.strip()} (no guid)"
    if entry.title and entry.title.strip():
        return "title + published text (no guid, no link)"
    if entry.body_html is None and not (entry.published or entry.updated or "").strip():
        return "none: quarantined as 'empty entry: no guid, link, title, body or date'"
    return "none: quarantined as 'no usable identity'"


def _date(entry: ParsedEntry) -> str:
    moment, source = post_date(entry.published_at, entry.updated_at, entry.updated_element)
    if source == "published":
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC from published {entry.published!r}"
    if moment is not None:
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC from {source} {entry.updated!r} (no published date)"
    sent = next((t.strip() for t in (entry.published, entry.updated) if t and t.strip()), None)
    if sent:
        return f"null: {sent!r} does not parse; published undated, counted as a warning"
    return "null: the entry has no date"


def _body(entry: ParsedEntry) -> str:
    if entry.body_source is None:
        return "(none)"
    body_text = text.html_to_text(entry.body_html) or ""
    words = body_text.split()
    first = " ".join(words[:FIRST_WORDS]) + (" …" if len(words) > FIRST_WORDS else "")
    return f"from {entry.body_source}, {len(words)} words: {_quoted(first)}"


def _author(entry: ParsedEntry) -> str:
    if entry.author_name is None:
        sent = f" (the feed says {entry.author!r})" if entry.author else ""
        return f"(none){sent}"
    if entry.author and entry.author != entry.author_name:
        return f"{entry.author_name} (the feed says {entry.author!r})"
    return entry.author_name


def _tags(entry: ParsedEntry) -> str:
    seen: dict[str, str] = {}
    for category in entry.categories:
        key = text.name_key(category)
        if key is not None and key not in seen:
            seen[key] = f"{text.display_name(category)} -> {text.slugify(category)}"
    return "; ".join(seen.values()) or "(none)"


def _quoted(value: str) -> str:
    return '"' + (value if len(value) <= 160 else value[:157] + "...") + '"'
