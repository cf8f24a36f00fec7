"""The parse fast path: a well-formed RSS 2.0 or RSS 1.0 (RDF) feed read by lxml into the very
dictionaries feedparser's strict parser builds from it, or None (decline: feedparser reads it).

feedparser is the reference; this module reproduces only its handling of the elements listed in
fast_elements' tables, with no attributes but those listed, each leaf holding text only. Anything
else (another element, a second title, an xml:base or xml:lang, a DOCTYPE, a namespace declared
below the root, a comment or entity reference inside a value) declines, so the fast path never
guesses. The values go through feedparser's own steps (fast_values). lxml runs as safely as
xml_guard promises: no network, no DTD loaded, no entity resolved. The differential test
(tests/unit/test_parse_fast_path.py) holds its output equal to feedparser's on the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from feedparser.util import FeedParserDict
from lxml import etree

from feedwarehouse.parse import fast_elements
from feedwarehouse.parse.entry_scan import EntryElements
from feedwarehouse.parse.fast_elements import LABELS, RDF, RSS1, TEXT_LABELS
from feedwarehouse.parse.fast_values import (
    Declined,
    add_tag,
    content,
    date_pair,
    feed_link,
    link_attributes,
    may_hold_c1,
    sync_author,
    value,
)

_ELEMENT_START = re.compile(rb"<[A-Za-z_]")  # the root's start tag: the prolog lies before it
_FEEDPARSER_NAMESPACES = ("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")
_RELATIVE = frozenset({"comments", "wfw_comment", "wfw_commentrss", "docs"})  # feedparser's
_NO_ATTRIBUTES: dict[str, str] = {}
_ATTRIBUTES = {"guid": {"isPermaLink"}, "category": {"domain"}}  # others: none, or see below
_ANY_ATTRIBUTES, _NONE = frozenset({"enclosure", "atom:link"}), frozenset()
_REPEATABLE = frozenset({"category", "content", "enclosure", "atom:link"})


@dataclass(frozen=True)
class FastFeed:
    """What feedparser would have returned (version, feed, entries) and entry_scan's labels."""

    version: str
    feed: FeedParserDict
    entries: list[dict[str, Any]]  # FeedParserDicts but for their aliases (see fast_values)
    elements: list[EntryElements]


def read(payload: bytes) -> FastFeed | None:
    """The feed as feedparser reads it, or None when this path does not read it exactly."""
    if b"xml:base" in payload or may_hold_c1(payload):
        return None  # feedparser gets a base (each detail's "base" changes); reads C1 as cp1252
    root_start = _ELEMENT_START.search(payload)
    if root_start is None or b"<!DOCTYPE" in payload[: root_start.start()]:
        return None  # a DTD is never handed to lxml (nor is one read: see below)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(payload, parser)
    except etree.XMLSyntaxError:
        return None
    tree = root.getroottree()
    if tree.docinfo.doctype or payload.count(b"xmlns") != len(root.nsmap):
        return None  # a DOCTYPE, or a namespace declared below the root (or in a text)
    try:
        return _read_root(root)
    except Declined:
        return None


def _read_root(root: Any) -> FastFeed:
    if root.tag == "rss" and not set(root.attrib) - {"version"}:
        version = root.get("version", "")
        uris = {uri.lower() for uri in root.nsmap.values()}
        if not version.startswith("2.") or uris & set(_FEEDPARSER_NAMESPACES):
            raise Declined("not RSS 2.0")
        channels = [child for child in root if _is_element(child)]
        if len(channels) != 1 or channels[0].tag != "channel" or channels[0].attrib:
            raise Declined("not one channel")
        return _read_channel(channels[0], "rss20", "", list(channels[0]))
    if root.tag == RDF + "RDF" and not root.attrib and root.nsmap.get(None) == RSS1[1:-1]:
        children = [child for child in root if _is_element(child)]
        channel = children[0] if children else None
        if channel is None or channel.tag != RSS1 + "channel":
            raise Declined("no channel first")
        if set(channel.attrib) - {RDF + "about"}:
            raise Declined("channel attributes")
        return _read_channel(channel, "rss10", RSS1, children[1:])
    raise Declined("not RSS 2.0 or RSS 1.0")


def _is_element(node: Any) -> bool:
    return isinstance(node.tag, str)


def _read_channel(channel: Any, version: str, ns: str, items: list[Any]) -> FastFeed:
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    elements: list[EntryElements] = []
    seen: set[str] = set()
    tables = fast_elements.tables(ns)
    for child in channel if ns == "" else [*channel, *items]:
        if not _is_element(child):
            continue
        if child.tag == ns + "item" and (ns == "" or child.getparent() is not channel):
            entry, labels = _read_item(child, tables[0])
            entries.append(entry)
            elements.append(labels)
        elif child.getparent() is channel:
            if child.tag == RSS1 + "items" and ns:
                feed["entries"] = ""  # feedparser's "items" (its FeedParserDict renames it)
                _check_seq(child, feed)
                continue
            _store(feed, child, child.tag, child.text or "", tables[1], seen, True)
        else:
            raise Declined(f"{child.tag} beside the channel")
    return FastFeed(version, FeedParserDict(feed), entries, elements)


def _check_seq(items: Any, feed: dict[str, Any]) -> None:
    """<items><rdf:Seq><rdf:li rdf:resource=…/>…: feedparser keeps the last li's attributes."""
    seqs = [node for node in items if _is_element(node)]
    if items.attrib or len(seqs) != 1 or seqs[0].tag != RDF + "Seq" or seqs[0].attrib:
        raise Declined("items")
    if (items.text or "").strip() or (seqs[0].text or "").strip():
        raise Declined("text in items")
    feed["rdf_seq"] = ""
    for li in seqs[0]:
        if not _is_element(li):
            continue
        if li.tag != RDF + "li" or len(li) or set(li.attrib) != {RDF + "resource"}:
            raise Declined("rdf:li")
        feed["rdf_li"] = {"rdf:resource": li.get(RDF + "resource")}


def _read_item(
    item: Any, table: dict[str, tuple[str, str]]
) -> tuple[dict[str, Any], EntryElements]:
    if item.attrib and set(item.attrib) != {RDF + "about"}:
        raise Declined("item attributes")
    entry: dict[str, Any] = {}
    about = item.get(RDF + "about")
    if about:
        entry["id"] = about
    labels: set[str] = set()
    seen: set[str] = set()
    texts: dict[str, str] = {}
    for child in item.iterchildren(etree.Element):  # comments and PIs: feedparser skips them
        tag, text = child.tag, child.text or ""  # lxml builds both anew on every read
        kind = _store(entry, child, tag, text, table, seen, False)
        label = LABELS.get(tag)  # RSS 1.0's names too
        if label:
            labels.add(label)
            if label in TEXT_LABELS:
                texts.setdefault(label, text)
        if kind == "guid":
            texts.setdefault("guid", text)
    return entry, EntryElements(frozenset(labels), texts)


def _store(
    context: Any,
    child: Any,
    tag: str,
    text: str,
    table: dict[str, tuple[str, str]],
    seen: set[str],
    feed_level: bool,
) -> str:
    """One element's effect on its entry (or the feed), as feedparser's handlers have it."""
    kind, key = table.get(tag) or ("", "")
    if not kind or len(child):
        raise Declined(f"element {tag}")
    items = child.items()  # one call into lxml: most elements have no attribute
    attributes = dict(items) if items else _NO_ATTRIBUTES
    allowed = _ATTRIBUTES.get(kind, _NONE)
    if attributes and kind not in _ANY_ATTRIBUTES and not attributes.keys() <= allowed:
        raise Declined(f"attributes of {tag}")
    if kind not in _REPEATABLE and (tag in seen or (kind == "author" and "authors" in context)):
        raise Declined(f"a second {tag}")  # feedparser's rules for those differ
    seen.add(tag)
    if kind == "plain":  # the commonest first: each kind is one branch below
        context[key] = value(text, relative=key in _RELATIVE)
    elif kind == "category":
        add_tag(context, text, attributes.get("domain"))
    elif kind == "title":  # a text construct feedparser types by a guess
        context[key], context[key + "_detail"] = content(text, "text/plain")
    elif kind == "description":
        if key == "summary" and "summary" in context and "content" not in context:
            raise Declined("a description after a summary")
        context[key], context[key + "_detail"] = content(text, "text/html")
    elif kind == "content":
        body, detail = content(text, "text/html")
        context.setdefault("content", []).append(detail)
        context.setdefault("summary", body)
    elif kind == "link":
        context.setdefault("links", []).append({"rel": "alternate", "type": "text/html"})
        context["link"] = feed_link(text, feed_level)
        if context["link"] or feed_level:
            context["links"][-1]["href"] = context["link"]
    elif kind == "atom:link":
        if not feed_level:
            raise Declined("atom:link in an item")
        link = link_attributes(attributes)
        context.setdefault("links", []).append(link)
        if link["rel"] == "alternate" and link["type"] in ("text/html", "application/xhtml+xml"):
            context["link"] = link["href"]
    elif kind == "enclosure":
        link = link_attributes(attributes, enclosure=True)
        context.setdefault("links", []).append(link)
    elif kind == "guid":
        is_link = attributes.get("isPermaLink", "true") == "true"
        context["id"] = value(text, relative=is_link)
        context.setdefault("guidislink", is_link and "link" not in context)
        if is_link:
            context.setdefault("link", context["id"])
    elif kind == "date":
        context[key], context[key + "_parsed"] = date_pair(text)
    elif kind == "author":
        context.setdefault("authors", []).append({})
        context["author"] = value(text)
        sync_author(context)
    else:  # generator
        context["generator_detail"] = {"name": value(text)}
        context["generator"] = context["generator_detail"]["name"]
    return kind
