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

from feedwarehouse.cli import main
from feedwarehouse.config import archive_url_for, data_paths, load_feeds
from feedwarehouse.extract.feeds import extract
from feedwarehouse.extract.land import ARCHIVE, read_manifest, read_payload
from feedwarehouse_dev.sample import (
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
    [
        ({"feeds": 0}, "feeds"),
        ({"items": 0}, "items"),
        ({"feeds": -1}, "feeds"),
        ({"archive_days": -1}, "archive_days"),
    ],
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict[str, int], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        generate_sample(tmp_path, **kwargs)


ARCHIVE_END = date(2026, 11, 30)  # a Monday: its post is in the last snapshot only


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    out = tmp_path_factory.mktemp("archived") / "feeds"
    return generate_sample(out, feeds=2, items=6, seed=3, end_date=ARCHIVE_END, archive_days=10)


def _guids(path: Path) -> list[str]:
    return [entry.id for entry in feedparser.parse(path.read_bytes()).entries]


def test_archives_hold_each_feed_as_it_stood_that_day(archived: SampleSet) -> None:
    assert archived.archive_days == tuple(date(2026, 11, d) for d in range(21, 31))
    archive = archived.out_dir / "archive"
    assert sorted(str(p.relative_to(archive)) for p in archive.rglob("*.xml")) == sorted(
        f"{day:%Y/%m/%d}/{feed_id}.xml"
        for day in archived.archive_days
        for feed_id in ("webrtc-blog", "sample-blog-2")
    )
    for feed in archived.feeds:
        published = [item.published_at.date() for item in feed.items]
        for day in archived.archive_days:
            snapshot = archive / f"{day:%Y/%m/%d}" / f"{feed.feed_id}.xml"
            expected = [item.guid for item in feed.items if item.published_at.date() <= day]
            assert _guids(snapshot) == expected == [i.guid for i in feed.items_until(day)]
            assert feedparser.parse(snapshot.read_bytes()).bozo is False
        # the last day's snapshot is the live feed's items; an earlier one lacks the newest post
        assert _guids(archive / "2026/11/30" / f"{feed.feed_id}.xml") == _guids(feed.path)
        assert published[0] > date(2026, 11, 21)
        assert len(_guids(archive / "2026/11/21" / f"{feed.feed_id}.xml")) < len(feed.items)


def test_archives_leave_the_live_feeds_unchanged(archived: SampleSet, tmp_path: Path) -> None:
    plain = generate_sample(tmp_path / "plain", feeds=2, items=6, seed=3, end_date=ARCHIVE_END)
    assert plain.archive_days == ()
    assert not (plain.out_dir / "archive").exists()
    assert _xml_bytes(plain.out_dir) == _xml_bytes(archived.out_dir)
    assert "archive_url" not in plain.feeds_file.read_text(encoding="utf-8")


def test_feeds_file_archive_url_names_each_snapshot(archived: SampleSet) -> None:
    feeds = load_feeds(archived.feeds_file)
    assert [feed.id for feed in feeds] == ["webrtc-blog", "sample-blog-2"]
    root = (archived.out_dir / "archive").resolve()
    for feed in feeds:
        assert feed.archive_url == f"{root.as_uri()}/{{Y}}/{{m}}/{{d}}/{feed.id}.xml"
        url = archive_url_for(str(feed.archive_url), date(2026, 11, 24))
        assert urlparse(url).path == str(root / "2026/11/24" / f"{feed.id}.xml")


def test_backfill_extract_reads_the_dates_snapshot(archived: SampleSet, tmp_path: Path) -> None:
    paths = data_paths(tmp_path / "data")
    day, today = date(2026, 11, 24), date(2026, 12, 1)  # over a day behind today: a backfill
    for feed in load_feeds(archived.feeds_file):
        manifest = read_manifest(extract(feed, day, paths, today=today))
        snapshot = archived.out_dir / "archive/2026/11/24" / f"{feed.id}.xml"
        assert manifest.error is None
        assert manifest.source == ARCHIVE
        assert manifest.url == snapshot.resolve().as_uri()
        assert read_payload(paths, manifest) == snapshot.read_bytes()
        # the live feed is never read for a backfill, and no page of it is added
        assert manifest.more_payload_sha256s == []


def test_cli_sample_writes_archives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    argv = ["sample", "--out", str(out), "--feeds", "1", "--items", "3"]
    assert main([*argv, "--end-date", "2026-11-30", "--archive-days", "2"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote 1 feeds, 3 posts: {out / 'feeds.yml'}",
        f"with archives for 2026-11-29 to 2026-11-30: {out / 'archive'}",
    ]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.xml")) == [
        "archive/2026/11/29/webrtc-blog.xml",
        "archive/2026/11/30/webrtc-blog.xml",
        "webrtc-blog.xml",
    ]
    assert main([*argv, "--archive-days", "-1"]) == 2
    assert capsys.readouterr().err == "error: archive_days must be >= 0, got -1\n"
