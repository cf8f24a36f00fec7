"""The parse fast path (parse/fast_rss.py) against feedparser's path, over every payload the project
has: the fidelity corpus (helpers/realworld/shapes.py), the sample generator's feeds and the
edge cases below. For each, the fast path either declines (parse_feed falls back to feedparser)
or gives records equal, field by field, to those of parse_feed(..., fast_path=False).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers.realworld.shapes import Template, corpus

from feedwarehouse.parse.feed import ParsedFeed, parse_feed
from feedwarehouse.parse.xml_guard import FeedParseError
from feedwarehouse_dev.sample import generate_sample
from feedwarehouse_dev.sample_rss import WORDPRESS_RSS_OPEN

ORIGIN = "http://127.0.0.1:8000"
TEMPLATES = corpus(ORIGIN)
# the path each corpus shape takes, and why the fast path declines the others
PATHS = {
    "wp-full": "lxml",
    "wp-summary": "lxml",
    "wp-comments": "lxml",
    "wpcom-atom": "feedparser",  # Atom (and xml:base)
    "blogger": "feedparser",  # Atom
    "hugo": "feedparser",  # xml:base: feedparser is given a base
    "tumblr": "lxml",
    "medium": "feedparser",  # <webMaster> (feedparser's publisher): not reproduced
    "blogengine": "feedparser",  # an element of an unknown namespace (blogengine tags)
    "youtube": "feedparser",  # Atom
    "rdf-news": "lxml",  # RSS 1.0
    "pt-news": "lxml",
    "es-news": "lxml",
    "fr-news": "lxml",
    "de-news": "lxml",
    "podcast": "feedparser",  # itunes:* elements: not reproduced
    "shift-jis": "lxml",  # decoded to UTF-8 by charset.decode first
    "gb2312": "lxml",
    "dtd-titles": "feedparser",  # a DOCTYPE
    "atom-base": "feedparser",  # Atom, xml:base
    "shared-link": "feedparser",  # an <item> nested in an <item>
    "podcast-precedence": "feedparser",  # itunes:* elements
    "json-feed": "json",
    "rss090": "feedparser",  # RSS 0.90: not RSS 2.0 or 1.0
    "rss091-euc-jp": "feedparser",  # a DOCTYPE (RSS 0.91's)
    "json-feed-10": "json",
}


def assert_same_records(fast: ParsedFeed, reference: ParsedFeed) -> None:
    """Every field of the feed and of each entry equal, named when one is not."""
    assert reference.parsed_by == "feedparser"
    assert fast.parsed_by == "lxml"
    for field in dataclasses.fields(ParsedFeed):
        if field.name not in ("entries", "parsed_by"):
            assert getattr(fast, field.name) == getattr(reference, field.name), field.name
    assert len(fast.entries) == len(reference.entries)
    for index, (ours, theirs) in enumerate(zip(fast.entries, reference.entries, strict=True)):
        for field in dataclasses.fields(ours):
            assert getattr(ours, field.name) == getattr(theirs, field.name), (index, field.name)


def parse_both(payload: bytes, content_type: str | None) -> tuple[ParsedFeed, ParsedFeed]:
    source = f"{ORIGIN}/feeds/feed.xml"
    fast = parse_feed(payload, source=source, content_type=content_type)
    reference = parse_feed(payload, source=source, content_type=content_type, fast_path=False)
    return fast, reference


def test_every_corpus_shape_has_its_expected_path() -> None:
    assert {template.feed_id for template in TEMPLATES} == set(PATHS)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.feed_id)
def test_corpus_shape_is_declined_or_read_exactly_as_feedparser_reads_it(
    template: Template,
) -> None:
    fast, reference = parse_both(template.payload, template.content_type)
    assert fast.parsed_by == PATHS[template.feed_id]
    if fast.parsed_by == "lxml":
        assert_same_records(fast, reference)
    else:
        assert fast == reference


def test_the_sample_feeds_all_take_the_fast_path_with_the_same_records(tmp_path: Path) -> None:
    """WordPress RSS, the product's main shape: the live feeds and every archive snapshot."""
    sample = generate_sample(tmp_path, feeds=3, items=12, archive_days=4)
    payloads = sorted(tmp_path.rglob("*.xml"))
    assert len(payloads) == 3 + 3 * 4
    for path in payloads:
        fast, reference = parse_both(path.read_bytes(), "application/rss+xml")
        assert fast.parsed_by == "lxml", path
        assert len(fast.entries) > 0
        assert_same_records(fast, reference)
    assert sample.post_count == 36


def _wordpress(item: str, *, channel: str = "") -> bytes:
    """A WordPress channel around one item written by the test."""
    return (
        WORDPRESS_RSS_OPEN + "\t<title>Edge &amp; cases</title>\n"
        '\t<atom:link href="https://edge.example/feed/" rel="self" type="application/rss+xml"/>\n'
        "\t<link>https://edge.example</link>\n\t<description>Cases</description>\n"
        f"{channel}\t<item>\n{item}\n\t</item>\n</channel>\n</rss>\n"
    ).encode()


BASIC = (
    "<title>A post</title><link>https://edge.example/a/</link>"
    "<pubDate>Mon, 02 Dec 2024 10:00:00 +0000</pubDate>"
    '<guid isPermaLink="false">https://edge.example/?p=1</guid>'
)
# items the fast path reads: each exercises one of feedparser's rules it reproduces
READ = {
    "permalink guid, no link": "<title>T</title><guid>https://edge.example/p/</guid>",
    "permalink guid before the link": (
        "<guid>https://edge.example/g/</guid><link>https://edge.example/l/</link>"
    ),
    "relative permalink guid": "<title>T</title><guid>/p/7</guid>",
    "author with address": BASIC + "<author>ana@blog.example (Ana Lima)</author>",
    "placeholder author": BASIC + "<dc:creator><![CDATA[Unknown]]></dc:creator>",
    "empty and repeated categories": BASIC
    + (
        "<category></category><category>A</category><category> A </category>"
        '<category domain="https://edge.example/tags">B</category>'
        '<category domain="https://edge.example/tags"></category>'
    ),
    "enclosure": BASIC
    + ('<enclosure url="https://edge.example/a.mp3" length="12" type="Audio/MPEG"/>'),
    "title that looks like HTML": "<title>Caf&amp;eacute; &lt;b&gt;bold&lt;/b&gt;</title>",
    "title with a bare ampersand": "<title>Q&amp;A: 1 &lt; 2</title><link>/rel/</link>",
    "query entities in the link": (
        "<title>T</title><link>https://edge.example/?a=1&amp;amp;b=2&amp;c;d</link>"
    ),
    "UTF-8 read as latin-1 (mojibake)": BASIC + "<description>CafÃ© crÃ¨me</description>",
    "description only, escaped HTML": BASIC + "<description>&lt;p&gt;Hi&lt;/p&gt;</description>",
    "content before description": BASIC
    + (
        "<content:encoded><![CDATA[<p>Body</p>]]></content:encoded>"
        "<description><![CDATA[Short]]></description>"
    ),
    "content without description": BASIC
    + ("<content:encoded><![CDATA[<p>Body <a href='/x'>x</a></p>]]></content:encoded>"),
    "whitespace-only values": "<title>  </title><link> </link><description>\n</description>",
    "dc:date, no pubDate": "<title>T</title><dc:date>2024-12-01T08:00:00+01:00</dc:date>",
    "localized date": "<title>T</title><pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate>",
    "comment between elements": BASIC + "<!-- cached -->",
}
# items it declines (feedparser reads them): what each one holds
DECLINED = {
    "xml:lang on the title": BASIC.replace("<title>", '<title xml:lang="pt">'),
    "a second title": BASIC + "<title>Again</title>",
    "an unknown element": BASIC + "<foo>bar</foo>",
    "a namespace declared on the item's element": BASIC + '<x:y xmlns:x="urn:x">z</x:y>',
    "a comment inside a value": "<title>A <!-- c --> post</title>",
    "a processing instruction inside a value": "<title>A <?pi x?> post</title>",
    "an attribute on a module's element": BASIC + '<slash:comments n="1">2</slash:comments>',
    "a C1 control": "<title>Price \u0080 5</title>",
    "a C1 control as a reference": "<title>Price &#128; 5</title>",
    "markup inside the description": "<description><p>Hi</p></description>",
    "a type attribute on the title": '<title type="html">T</title>',
    "xml:base": BASIC.replace("<link>", '<link xml:base="https://other.example/">'),
    "an entity no DTD declares (not well-formed)": "<title>A&nbsp;post</title>",
    "an undeclared prefix (not namespace-well-formed)": BASIC + "<x:y>z</x:y>",
    "an element spelled in another case": BASIC + "<pubdate>Mon, 02 Dec 2024</pubdate>",
}


@pytest.mark.parametrize("item", READ.values(), ids=READ.keys())
def test_edge_case_is_read_exactly_as_feedparser_reads_it(item: str) -> None:
    fast, reference = parse_both(_wordpress(item), "application/rss+xml")
    assert_same_records(fast, reference)


@pytest.mark.parametrize("item", DECLINED.values(), ids=DECLINED.keys())
def test_edge_case_is_declined_and_read_by_feedparser(item: str) -> None:
    fast, reference = parse_both(_wordpress(item), "application/rss+xml")
    assert fast.parsed_by == "feedparser"
    assert fast == reference


def test_a_channel_alternate_atom_link_after_its_link_is_read_exactly() -> None:
    channel = '\t<atom:link href="https://edge.example/home" rel="alternate" type="text/html"/>\n'
    fast, reference = parse_both(_wordpress(BASIC, channel=channel), None)
    assert_same_records(fast, reference)
    assert fast.link == "https://edge.example/home"  # written after <link>: it wins there too


def test_enclosures_are_counted_from_the_fast_paths_links() -> None:
    """A fast path entry is a plain dict: its enclosures are its links of rel "enclosure"."""
    enclosures = "".join(
        f'<enclosure url="https://edge.example/{n}.mp3" length="1" type="audio/mpeg"/>'
        for n in (1, 2)
    )
    fast, reference = parse_both(_wordpress(BASIC + enclosures), None)
    assert_same_records(fast, reference)
    assert [entry.enclosure_count for entry in fast.entries] == [2]
    fast, _ = parse_both(_wordpress(BASIC), None)
    assert (fast.parsed_by, fast.entries[0].enclosure_count) == ("lxml", 0)


def test_a_doctype_declaring_an_entity_is_still_refused() -> None:
    """The entity guard runs whichever path reads the payload."""
    payload = _wordpress(BASIC).replace(
        b"<rss", b'<!DOCTYPE rss [<!ENTITY big "xxxxxxxxxx">]>\n<rss', 1
    )
    with pytest.raises(FeedParseError, match="DOCTYPE declares an XML entity"):
        parse_feed(payload, source=f"{ORIGIN}/feeds/feed.xml")


def test_a_processing_instruction_hiding_an_entity_is_refused_on_the_fast_path() -> None:
    """lxml would read this document (no DOCTYPE), but the guard refuses it first."""
    hidden = b'<?pi <!DOCTYPE rss [<!ENTITY a "&#38;#38;&#38;#38;">]> ?>\n'
    payload = _wordpress(BASIC).replace(b"<rss", hidden + b"<rss", 1)
    with pytest.raises(FeedParseError, match="refused"):
        parse_feed(payload, source=f"{ORIGIN}/feeds/feed.xml")
