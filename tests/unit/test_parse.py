"""Tests for feedwarehouse.parse: feedparser output turned into raw-layer records."""

# Curly quotes and dashes are deliberate: real feeds carry them.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from feedwarehouse.parse import FeedParseError, ParsedEntry, parse_feed
from feedwarehouse.sample import generate_sample

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
    message = rf"^https://x\.example/feed: not a recognizable RSS/Atom feed \({reason}\)$"
    with pytest.raises(FeedParseError, match=message):
        parse_feed(payload, source="https://x.example/feed")


def test_feed_parse_error_is_a_value_error() -> None:
    assert issubclass(FeedParseError, ValueError)


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
