"""What an entry's date, body and author are, and which element of the feed gave each.

feedparser folds several elements into one field: `dc:date` and Atom `<updated>` both become
`updated`; `media:description` becomes `summary`, or `content` when a description came first;
`itunes:summary` likewise. To say which element gave a value, a quick expat pass over the same
bytes records the elements each entry carries (document order, as feedparser's entries). On
a payload expat cannot read (malformed XML, which feedparser's lenient parser recovers) the
elements are guessed from the feed's version instead.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.parsers import expat

import dateparser

_ATOM = ("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")
_RSS = ("", "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")
# (namespace, element) -> the name a user knows it by
_LABELS = {
    ("http://purl.org/rss/1.0/modules/content/", "encoded"): "content:encoded",
    **{(ns, "content"): "content" for ns in _ATOM},
    **{(ns, "description"): "description" for ns in _RSS},
    **{(ns, "summary"): "summary" for ns in _ATOM},
    ("http://search.yahoo.com/mrss/", "description"): "media:description",
    **{(ns, "updated"): "updated" for ns in _ATOM},
    ("http://purl.org/dc/elements/1.1/", "date"): "dc:date",
    ("http://purl.org/dc/terms/", "modified"): "dcterms:modified",
}
_ENTRY_ELEMENTS = {(ns, "entry") for ns in _ATOM} | {(ns, "item") for ns in _RSS}
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
class EntryElements:
    """The elements one entry carried, and the text of those feedparser conflates."""

    labels: frozenset[str] = frozenset()
    media_description: str | None = None


@dataclass
class _Scan:
    entries: list[EntryElements] = field(default_factory=list)
    labels: set[str] | None = None
    media_text: list[str] | None = None
    media_depth: int = 0


def scan_entries(payload: bytes) -> list[EntryElements] | None:
    """Per entry, in document order, which labelled elements it holds; None if not well-formed.

    Runs after xml_guard.check_entities, so the prolog declares nothing expat would expand.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    scan = _Scan()

    def start(name: str, _attrs: object) -> None:
        key = tuple(name.split(" ", 1)) if " " in name else ("", name)
        if key in _ENTRY_ELEMENTS:
            scan.labels, scan.media_text = set(), None
        elif scan.labels is not None and key in _LABELS:
            label = _LABELS[key]  # type: ignore[index]
            scan.labels.add(label)
            if label == "media:description" and scan.media_text is None:
                scan.media_text, scan.media_depth = [], 1
                return
        if scan.media_depth:
            scan.media_depth += 1

    def end(name: str) -> None:
        key = tuple(name.split(" ", 1)) if " " in name else ("", name)
        if scan.media_depth:
            scan.media_depth -= 1
        if key in _ENTRY_ELEMENTS and scan.labels is not None:
            text = "".join(scan.media_text) if scan.media_text is not None else None
            scan.entries.append(EntryElements(frozenset(scan.labels), text))
            scan.labels = None

    def characters(data: str) -> None:
        if scan.media_depth and scan.media_text is not None:
            scan.media_text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(payload.lstrip(b"\xef\xbb\xbf \t\r\n"), True)
    except expat.ExpatError:
        return None
    return scan.entries


@dataclass(frozen=True)
class Body:
    html: str | None
    source: str | None


def choose_body(entry: Mapping[str, Any], elements: EntryElements | None, is_atom: bool) -> Body:
    """The fullest body: content:encoded / Atom content (the longest), else description / Atom
    summary, else media:description (YouTube)."""
    labels = elements.labels if elements else None
    contents = [item.get("value") for item in entry.get("content") or [] if item.get("value")]
    summary = entry.get("summary") or None
    if labels is None:  # not well-formed: what feedparser found, named by the feed's kind
        if contents:
            return Body(max(contents, key=len), "content" if is_atom else "content:encoded")
        return Body(summary, ("summary" if is_atom else "description") if summary else None)
    for label in ("content:encoded", "content"):
        if label in labels and contents:
            return Body(max(contents, key=len), label)
    for label in ("description", "summary"):
        if label in labels and summary:
            return Body(summary, label)
    if elements and elements.media_description and elements.media_description.strip():
        return Body(elements.media_description, "media:description")
    return Body(None, None)


def summary_of(entry: Mapping[str, Any], elements: EntryElements | None) -> str | None:
    """The description / Atom summary, not a media:description or itunes:summary feedparser
    moved into its place."""
    labels = elements.labels if elements else None
    if labels is not None and not labels & {"description", "summary"}:
        return None
    return entry.get("summary") or None


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


def author_name(entry: Mapping[str, Any], feed: Mapping[str, Any], is_atom: bool) -> str | None:
    """The entry's author's name; an Atom entry without one has the feed's (RFC 4287 4.2.1).

    `email (Name)` and `Name <email>` give Name; empty names, placeholder names ("Unknown")
    and placeholder addresses (noreply@…) are no author; a bare real address is the author.
    """
    name = _first_author(entry)
    if name is None and is_atom and not entry.get("authors"):
        name = _first_author(feed)
    return name


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
