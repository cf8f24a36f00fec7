"""What an entry's date, body and author are, and which element of the feed gave each.

The precedence (the README's column table says the same; `feedwarehouse inspect` shows it):
  body   = content:encoded / Atom content, then description / Atom summary, then
           itunes:summary, then media:description
  author = dc:creator, <author>, Atom author, then itunes:author, then the feed's author
feedparser folds these elements into one field each, so entry_scan records which elements
each entry carries; on a payload expat cannot read (malformed XML, which feedparser's lenient
parser recovers) the elements are guessed from the feed's version instead.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dateparser

from feedwarehouse.parse.entry_scan import EntryElements, FeedScan, scan_feed

__all__ = ["EntryElements", "FeedScan", "scan_feed"]

_PLACEHOLDER_ADDRESS = re.compile(
    r"^(no-?reply|do-?not-?reply|nobody|invalid|unknown|anonymous)\b[^@]*@", re.IGNORECASE
)
_PLACEHOLDER_NAMES = frozenset({"unknown", "anonymous", "noreply", "no-reply", "nobody"})
_NAME_IN_PARENS = re.compile(r"^\s*\S+@\S+\s*\((.*)\)\s*$")  # email (Name)
_NAME_BEFORE_ADDRESS = re.compile(r"^\s*(.*?)\s*<\S+@\S+>\s*$")  # Name <email>
_NAME_BEFORE_PARENS = re.compile(r"^\s*(.*?)\s*\(\S+@\S+\)\s*$")  # Name (email), Atom's
_BARE_ADDRESS = re.compile(r"<?[^\s@<>()]+@[^\s@<>()]+>?")
# languages tried for a localized date when the feed does not say its own
FEED_LANGUAGES = ("en", "pt", "es", "fr", "de", "it", "nl", "pl", "sv", "da", "nb", "fi", "ru")


@dataclass(frozen=True)
class Body:
    html: str | None
    source: str | None


# the elements that give a post's body and author, best first (README: the column table)
BODY_PRECEDENCE = (
    "content:encoded",
    "content",
    "description",
    "summary",
    "itunes:summary",
    "media:description",
)
AUTHOR_PRECEDENCE = ("dc:creator", "author", "atom:author", "itunes:author")


def choose_body(entry: Mapping[str, Any], elements: EntryElements | None, is_atom: bool) -> Body:
    """The fullest body by BODY_PRECEDENCE (of several content elements, the longest)."""
    contents = [item.get("value") for item in entry.get("content") or [] if item.get("value")]
    if elements is None:  # not well-formed: what feedparser found, named by the feed's kind
        summary = entry.get("summary") or None
        if contents:
            return Body(max(contents, key=len), "content" if is_atom else "content:encoded")
        return Body(summary, ("summary" if is_atom else "description") if summary else None)
    summary = summary_of(entry, elements)
    for label in BODY_PRECEDENCE:
        if label not in elements.labels:
            continue
        if label in ("content:encoded", "content"):
            value = max(contents, key=len) if contents else None
        elif label in ("description", "summary"):
            value = summary
        else:
            value = elements.texts.get(label)
        if value and value.strip():
            return Body(value, label)
    return Body(None, None)


def summary_of(entry: Mapping[str, Any], elements: EntryElements | None) -> str | None:
    """The description / Atom summary, not a media:description or itunes:summary feedparser
    moved into its place (nor the description it moved into `content` for one)."""
    if elements is None:
        return entry.get("summary") or None
    if "description" in elements.labels:
        description = elements.texts.get("description")
        return description if description and description.strip() else None
    if "summary" in elements.labels:
        return entry.get("summary") or None
    return None


def updated_element(elements: EntryElements | None, is_atom: bool) -> str:
    """Which element feedparser's `updated` came from."""
    labels = elements.labels if elements else frozenset()
    for label in ("updated", "dc:date", "dcterms:modified"):
        if label in labels:
            return label
    return "updated" if is_atom else "dc:date"


def post_date(
    published_at: datetime | None, updated_at: datetime | None, updated_element: str | None
) -> tuple[datetime | None, str | None]:
    """A post's date and the element that gave it: published, else updated / dc:date.

    The rule stg_raw__entries applies in SQL; inspect and the fast corpus test use this one.
    """
    if published_at is not None:
        return published_at, "published"
    if updated_at is not None:
        return updated_at, updated_element
    return None, None


def parse_date(
    text: str | None, parsed: time.struct_time | None, language: str | None
) -> datetime | None:
    """A feed date as naive UTC: feedparser's reading, else a localized one ("Seg, 24 Set 2018
    19:42:40 -0300"), with the feed's language tried first."""
    if parsed is not None:
        with contextlib.suppress(OverflowError, ValueError, OSError):
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).replace(tzinfo=None)
        return None
    if not text or not text.strip() or len(text) > 200:
        return None
    return _localized(text.strip(), _language(language))


def _language(language: str | None) -> str | None:
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in FEED_LANGUAGES else None


@functools.lru_cache(maxsize=4096)
def _localized(text: str, language: str | None) -> datetime | None:
    languages = [language] if language else list(FEED_LANGUAGES)
    settings = {
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "REQUIRE_PARTS": ["day", "month", "year"],
        # never "yesterday" or "in 2 days": relative to the wall clock, a rerun would differ
        "PARSERS": ["absolute-time"],
    }
    try:
        moment = dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, OverflowError):
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def author_name(
    entry: Mapping[str, Any],
    feed: Mapping[str, Any],
    is_atom: bool,
    elements: EntryElements | None = None,
) -> str | None:
    """The entry's author's name by AUTHOR_PRECEDENCE; an entry without one has the feed's
    (RFC 4287 4.2.1 for Atom; the channel's author, managingEditor or itunes:author for RSS).

    `email (Name)` and `Name <email>` give Name; empty names, placeholder names ("Unknown")
    and placeholder addresses (noreply@…) are no author; a bare real address is the author.
    """
    if elements is None:
        name = _first_author(entry)
    else:
        sent = {label: elements.texts.get(label) for label in AUTHOR_PRECEDENCE}
        if "atom:author" in elements.labels:
            sent["atom:author"] = _first_author(entry)
        name = first_name([sent[label] for label in AUTHOR_PRECEDENCE])
    if name is None and not entry.get("authors"):
        name = _first_author(feed)
    return name


def first_name(values: list[str | None]) -> str | None:
    """The first name among the values, else the first real address."""
    for value in values:
        name = _clean_name(value)
        if name:
            return name
    for value in values:
        address = " ".join(str(value or "").split())
        if _BARE_ADDRESS.fullmatch(address) and not _PLACEHOLDER_ADDRESS.match(address):
            return address
    return None


def _first_author(item: Mapping[str, Any]) -> str | None:
    # the author string as sent first: feedparser's own split of "email (Name)" truncates
    # addresses with long top-level domains ("ana@blog.example" becomes "ana@blog.exam")
    details = list(item.get("authors") or [])
    author = str(item.get("author") or "")
    sent = [
        author,
        *(d.get("name") for d in details if not _is_split_remainder(d, author)),
    ]
    for value in sent:
        name = _clean_name(value)
        if name:
            return name
    for value in [item.get("author"), *(detail.get("email") for detail in details)]:
        address = " ".join(str(value or "").split())
        if _BARE_ADDRESS.fullmatch(address) and not _PLACEHOLDER_ADDRESS.match(address):
            return address
    return None


def _is_split_remainder(detail: Mapping[str, Any], author: str) -> bool:
    """feedparser's "name" when its split cut the address short: the address's own tail."""
    email, name = str(detail.get("email") or ""), str(detail.get("name") or "")
    if not email or not name:
        return False
    compact = "".join(author.split())
    return (email + "".join(name.split()))[: len(email) + 3] in compact


def _clean_name(value: str | None) -> str | None:
    """The name in "email (Name)", "Name (email)" or "Name <email>"; None for no name."""
    name = " ".join(str(value or "").split())
    for form in (_NAME_IN_PARENS, _NAME_BEFORE_ADDRESS, _NAME_BEFORE_PARENS):
        match = form.match(name)
        if match:
            name = match.group(1).strip()
            break
    if not name or name.casefold() in _PLACEHOLDER_NAMES or _BARE_ADDRESS.fullmatch(name):
        return None
    return name
