"""Tests for the synthetic WordPress feed generator."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import pytest
import yaml

from feedwarehouse.sample import (
    SampleSet,
    generate_sample,
    normalize_author,
    normalize_tag,
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    return generate_sample(tmp_path_factory.mktemp("sample") / "feeds")


@pytest.fixture(scope="module")
def parsed(sample: SampleSet) -> dict[str, feedparser.FeedParserDict]:
    return {f.feed_id: feedparser.parse(f.path.read_bytes()) for f in sample.feeds}


def _xml_bytes(out_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out_dir.glob("*.xml"))}


def test_normalize_tag() -> None:
    assert normalize_tag("  Q&A ") == "q-a"
    assert normalize_tag("Video  Conferencing") == "video-conferencing"
    assert normalize_tag("WebRTC") == normalize_tag("webrtc") == "webrtc"


def test_normalize_author() -> None:
    assert normalize_author("  Ines   Levin ") == "ines levin"


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate_sample(tmp_path / "a")
    generate_sample(tmp_path / "b")
    first, second = _xml_bytes(tmp_path / "a"), _xml_bytes(tmp_path / "b")
    assert list(first) == ["sample-blog-2.xml", "webrtc-blog.xml"]
    assert first == second


def test_different_seed_gives_different_feeds(tmp_path: Path) -> None:
    generate_sample(tmp_path / "a", seed=42)
    generate_sample(tmp_path / "b", seed=7)
    first, second = _xml_bytes(tmp_path / "a"), _xml_bytes(tmp_path / "b")
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)


def test_feeds_file_lists_existing_file_urls(sample: SampleSet) -> None:
    assert sorted(p.name for p in sample.out_dir.iterdir()) == [
        "feeds.yml",
        "sample-blog-2.xml",
        "webrtc-blog.xml",
    ]
    listing = yaml.safe_load(sample.feeds_file.read_text(encoding="utf-8"))
    assert [f["id"] for f in listing["feeds"]] == ["webrtc-blog", "sample-blog-2"]
    for entry in listing["feeds"]:
        url = urlparse(entry["url"])
        assert url.scheme == "file"
        assert Path(url.path).is_file()
        assert Path(url.path) == (sample.out_dir / f"{entry['id']}.xml").resolve()


def test_feed_metadata(sample: SampleSet, parsed: dict[str, feedparser.FeedParserDict]) -> None:
    assert [f.site_url for f in sample.feeds] == [
        "https://webrtc-blog.example.com",
        "https://sample-blog-2.example.com",
    ]
    for feed in sample.feeds:
        meta = parsed[feed.feed_id].feed
        assert meta.title == feed.title
        assert meta.link == feed.site_url
        assert meta.language == "en-US"
        assert meta.generator == "https://wordpress.org/?v=6.7.1"
        newest = feed.items[0].published_at
        assert calendar.timegm(meta.updated_parsed) == int(newest.timestamp())
    assert parsed["webrtc-blog"].feed.title == "WebRTC Blog — Video, Voice & CPaaS"


def test_entries_parse_cleanly(parsed: dict[str, feedparser.FeedParserDict]) -> None:
    for feed_id, doc in parsed.items():
        assert doc.bozo is False, doc.get("bozo_exception")
        assert doc.version == "rss20"
        assert len(doc.entries) == 20
        host = f"https://{feed_id}.example.com"
        guids = [e.id for e in doc.entries]
        assert len(set(guids)) == 20
        assert len({e.title for e in doc.entries}) == 20
        for entry in doc.entries:
            assert entry.id.startswith(f"{host}/?p=")
            assert entry.guidislink is False
            assert entry.link.startswith(f"{host}/20")
            assert entry.link.endswith("/")
            html = entry.content[0].value
            for marker in ("<table", "<thead>", "<ol>", "<ul>", "<h2>", "appeared first on"):
                assert marker in html
            assert f'<a href="{entry.link}">' in html
            assert entry.summary.endswith("[&#8230;]")
            assert "<" not in entry.summary
            assert 2 <= len(entry.tags) <= 5
            assert len({normalize_tag(t.term) for t in entry.tags}) == len(entry.tags)
            assert entry.comments == f"{entry.link}#respond"
            assert int(entry.slash_comments) >= 0
        assert any(not e.title.isascii() for e in doc.entries)


def test_post_numbers_increase_with_date(sample: SampleSet) -> None:
    for feed in sample.feeds:
        numbers = [item.post_number for item in feed.items]
        assert numbers == sorted(numbers, reverse=True)
        assert len(set(numbers)) == len(numbers)
        for item in feed.items:
            assert item.guid == f"{feed.site_url}/?p={item.post_number}"
            assert f"/{item.published_at:%Y/%m/%d}/" in item.link


def test_pub_dates_are_weekly_mostly_monday(
    sample: SampleSet, parsed: dict[str, feedparser.FeedParserDict]
) -> None:
    for feed in sample.feeds:
        entries = parsed[feed.feed_id].entries
        stamps = [datetime.fromtimestamp(calendar.timegm(e.published_parsed), UTC) for e in entries]
        assert stamps == [item.published_at for item in feed.items]
        assert stamps == sorted(stamps, reverse=True)
        assert stamps[0].date() == date(2026, 11, 23)
        assert all(s.date() <= date(2026, 11, 23) for s in stamps)
        gaps = [(a.date() - b.date()).days for a, b in pairwise(stamps)]
        assert all(5 <= gap <= 9 for gap in gaps), gaps
        assert sum(s.weekday() == 0 for s in stamps) >= 14
        assert all(s.weekday() in (0, 1, 2) for s in stamps)
        assert entries[0].published.endswith("+0000")


def test_sample_set_matches_parsed_feeds(
    sample: SampleSet, parsed: dict[str, feedparser.FeedParserDict]
) -> None:
    entries = [e for doc in parsed.values() for e in doc.entries]
    assert sample.post_count == 40 == len(entries)
    assert sample.tag_slugs == {normalize_tag(t.term) for e in entries for t in e.tags}
    assert sample.author_keys == {normalize_author(e.author) for e in entries}
    for feed in sample.feeds:
        for item, entry in zip(feed.items, parsed[feed.feed_id].entries, strict=True):
            assert (item.guid, item.link, item.title) == (entry.id, entry.link, entry.title)
            assert item.author == entry.author
            assert item.categories == tuple(t.term for t in entry.tags)
            assert item.comments_count == int(entry.slash_comments)


def test_tags_and_authors_need_dedup(
    sample: SampleSet, parsed: dict[str, feedparser.FeedParserDict]
) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    for doc in parsed.values():
        for entry in doc.entries:
            for tag in entry.tags:
                spellings[normalize_tag(tag.term)].add(tag.term)
    assert any(len(terms) > 1 for terms in spellings.values())
    assert {"webrtc", "q-a"} <= sample.tag_slugs
    assert 15 <= len(sample.tag_slugs) <= 25
    per_feed = [{normalize_author(e.author) for e in doc.entries} for doc in parsed.values()]
    assert per_feed[0] & per_feed[1]
    assert all(2 <= len(keys) <= 4 for keys in per_feed)
    raw_authors = {e.author for doc in parsed.values() for e in doc.entries}
    assert len(raw_authors) > len(sample.author_keys)


def test_many_items_stay_unique(tmp_path: Path) -> None:
    result = generate_sample(tmp_path, feeds=3, items=150, seed=1, end_date=date(2025, 1, 1))
    assert [f.feed_id for f in result.feeds] == ["webrtc-blog", "sample-blog-2", "sample-blog-3"]
    assert result.post_count == 450
    for feed in result.feeds:
        assert len({i.title for i in feed.items}) == 150
        assert len({i.guid for i in feed.items}) == 150
        assert feed.items[0].published_at.date() <= date(2025, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"feeds": 0}, "feeds"), ({"items": 0}, "items"), ({"feeds": -1}, "feeds")],
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict[str, int], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        generate_sample(tmp_path, **kwargs)
