"""One expat pass over a feed: per entry, the elements it carries and the text of those feedparser
folds together; for the feed, its own link (the base of its relative URLs).

feedparser folds several elements into one field: `dc:date` and Atom `<updated>` both become
`updated`; `media:description` and `itunes:summary` become `summary` (or `content`, when a
description came first); `dc:creator`, `<author>` and `itunes:author` all become `author`,
the last one read winning; a guid is resolved as a URL. The precedence table of
entry_fields needs to know which element gave what, so this pass records it (and the guid as
sent), in document order (as feedparser's entries). It runs on
the decoded, namespace-normalized document (charset, namespaces) after the entity guard, so
the prolog declares nothing expat would expand; a document expat cannot read (malformed XML,
which feedparser's lenient parser recovers) gives None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin
from xml.parsers import expat

from feedwarehouse.parse.namespaces import ITUNES

ATOM = ("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")
RSS = ("", "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")
_DC = "http://purl.org/dc/elements/1.1/"
_XML_BASE = "http://www.w3.org/XML/1998/namespace base"
# (namespace, element) -> the name a user knows it by
LABELS = {
    ("http://purl.org/rss/1.0/modules/content/", "encoded"): "content:encoded",
    **{(ns, "content"): "content" for ns in ATOM},
    **{(ns, "description"): "description" for ns in RSS},
    **{(ns, "summary"): "summary" for ns in ATOM},
    (ITUNES, "summary"): "itunes:summary",
    ("http://search.yahoo.com/mrss/", "description"): "media:description",
    **{(ns, "updated"): "updated" for ns in ATOM},
    (_DC, "date"): "dc:date",
    ("http://purl.org/dc/terms/", "modified"): "dcterms:modified",
    (_DC, "creator"): "dc:creator",
    **{(ns, "author"): "author" for ns in RSS},
    **{(ns, "author"): "atom:author" for ns in ATOM},
    (ITUNES, "author"): "itunes:author",
}
# the labels whose text is kept (the first of each per entry)
TEXT_LABELS = frozenset(
    {"description", "itunes:summary", "media:description", "dc:creator", "author", "itunes:author"}
)
_ENTRY_ELEMENTS = {(ns, "entry") for ns in ATOM} | {(ns, "item") for ns in RSS}
# the entry's identity as sent (feedparser resolves a permalink guid against the base)
_GUID_ELEMENTS = {(ns, "guid") for ns in RSS} | {(ns, "id") for ns in ATOM}
_FEED_ELEMENTS = {(ns, "feed") for ns in ATOM} | {(ns, "channel") for ns in RSS}


@dataclass(frozen=True)
class EntryElements:
    """The elements one entry carried, and the text of those feedparser conflates."""

    labels: frozenset[str] = frozenset()
    texts: dict[str, str] = field(default_factory=dict)  # "guid": the guid / Atom id as sent

    @property
    def media_description(self) -> str | None:
        return self.texts.get("media:description")


@dataclass(frozen=True)
class FeedScan:
    entries: list[EntryElements]
    link: str | None  # the feed's own link, resolved against its xml:base (maybe relative)


@dataclass
class _State:
    entries: list[EntryElements | None] = field(default_factory=list)
    labels: set[str] | None = None
    texts: dict[str, str] = field(default_factory=dict)
    # entries being read (an <item> nested in another is its own entry): index, labels, texts
    open_entries: list[tuple[int, set[str] | None, dict[str, str]]] = field(default_factory=list)
    captures: list[tuple[str, list[str]]] = field(default_factory=list)
    depths: list[int] = field(default_factory=list)
    path: list[tuple[str, str]] = field(default_factory=list)
    bases: list[str] = field(default_factory=lambda: [""])
    link: str | None = None
    link_text: list[str] | None = None


def _key(name: str) -> tuple[str, str]:
    return tuple(name.split(" ", 1)) if " " in name else ("", name)  # type: ignore[return-value]


def scan_feed(payload: bytes) -> FeedScan | None:
    """Per entry, in document order, its labelled elements; the feed's link. None if malformed."""
    parser = expat.ParserCreate(namespace_separator=" ")
    state = _State()

    def start(name: str, attrs: dict[str, str]) -> None:
        key = _key(name)
        parent = state.path[-1] if state.path else None
        state.path.append(key)
        base = state.bases[-1]
        state.bases.append(urljoin(base, attrs[_XML_BASE]) if _XML_BASE in attrs else base)
        state.depths = [depth + 1 for depth in state.depths]
        if key in _ENTRY_ELEMENTS:
            # numbered in document order of their start, as feedparser numbers them
            state.open_entries.append((len(state.entries), state.labels, state.texts))
            state.entries.append(None)
            state.labels, state.texts = set(), {}
        elif parent in _ENTRY_ELEMENTS and key in _GUID_ELEMENTS and "guid" not in state.texts:
            state.captures.append(("guid", []))
            state.depths.append(1)
        elif state.labels is not None and key in LABELS:
            label = LABELS[key]
            state.labels.add(label)
            if label in TEXT_LABELS and label not in state.texts:
                state.captures.append((label, []))
                state.depths.append(1)
        elif parent in _FEED_ELEMENTS and key[1] == "link" and state.link is None:
            _feed_link(state, key, attrs)

    def end(name: str) -> None:
        key = state.path.pop()
        state.bases.pop()
        if state.link_text is not None and key[1] == "link":
            state.link = urljoin(state.bases[-1], "".join(state.link_text).strip()) or None
            state.link_text = None
        state.depths = [depth - 1 for depth in state.depths]
        while state.depths and state.depths[-1] == 0:
            state.depths.pop()
            label, text = state.captures.pop()
            state.texts.setdefault(label, "".join(text))
        if key in _ENTRY_ELEMENTS and state.labels is not None:
            index, outer_labels, outer_texts = state.open_entries.pop()
            state.entries[index] = EntryElements(frozenset(state.labels), dict(state.texts))
            state.labels, state.texts = outer_labels, outer_texts

    def characters(data: str) -> None:
        for _label, text in state.captures:
            text.append(data)
        if state.link_text is not None:
            state.link_text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(payload, True)
    except expat.ExpatError:
        return None
    return FeedScan([entry for entry in state.entries if entry is not None], state.link)


def _feed_link(state: _State, key: tuple[str, str], attrs: dict[str, str]) -> None:
    if key[0] in ATOM:
        if attrs.get("rel", "alternate") == "alternate" and attrs.get("href"):
            state.link = urljoin(state.bases[-1], attrs["href"].strip())
    elif key[0] in RSS:
        state.link_text = []
