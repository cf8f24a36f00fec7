"""Row defects are quarantined with their reason; the feed's other items and other feeds publish."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers.dbt_raw import query

from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.orchestration.daily import run_all
from feedwarehouse_dev.sample import generate_sample

RUN_DATE = date(2026, 11, 23)
HOST = "https://defects.example.com"


def item(guid: str | None, title: str | None, published: str | None, body: str = "Body.") -> str:
    parts = ["<item>"]
    if title is not None:
        parts.append(f"<title>{title}</title>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{HOST}/?p={guid}</guid>')
        parts.append(f"<link>{HOST}/post-{guid}/</link>")
    if published is not None:
        parts.append(f"<pubDate>{published}</pubDate>")
    parts.append(f"<description>{body}</description></item>")
    return "".join(parts)


DEFECTS = {
    # guid -> (item, quarantine reason or None for a good item)
    "1": (item("1", "A good post", "Mon, 16 Nov 2026 12:00:00 +0000"), None),
    "2": (item("2", "Another good post", "Mon, 09 Nov 2026 12:00:00 +0000"), None),
    "3": (item("3", "No date is fine", None), None),
    "4": (item(None, None, "Mon, 09 Nov 2026 12:00:00 +0000"), "no usable identity"),
    # a date no parser reads (relative dates are not read: a rerun would differ) is no defect
    "5": (item("5", "Garbled date", "the day after tomorrow"), None),
    "6": (
        item("6", "From the future", "Mon, 01 Nov 2027 12:00:00 +0000"),
        "published date in the future",
    ),
    "7": (item("7", "Too old", "Mon, 01 Jan 1990 12:00:00 +0000"), "published date before 1995"),
    "8": (item("8", "x" * 1200, "Mon, 02 Nov 2026 12:00:00 +0000"), "title too long"),
    "9": (
        item("1", "A good post, different", "Mon, 16 Nov 2026 12:00:00 +0000", "Other."),
        "duplicate guid with different content",
    ),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("quarantine")
    sample = generate_sample(root, feeds=1, items=5, seed=11)
    items = "".join(xml for xml, _ in DEFECTS.values())
    (root / "defects.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Defects</title><link>{HOST}/</link><description>d</description>"
        f"{items}</channel></rss>",
        encoding="utf-8",
    )
    feeds_file = root / "feeds.yml"
    feeds_file.write_text(
        feeds_file.read_text(encoding="utf-8")
        + f"- id: defects\n  url: {(root / 'defects.xml').as_uri()}\n",
        encoding="utf-8",
    )
    paths = data_paths(root / "data")
    summary = run_all(load_feeds(sample.feeds_file), RUN_DATE, paths)
    assert summary.ok
    return paths.published


def test_every_defect_is_quarantined_with_its_reason(published: Path):
    rows = query(
        published,
        "select entry_index, reason from quality.quarantined_entries "
        "where feed_id = 'defects' order by entry_index",
    )
    expected = [
        (index, reason) for index, (_, reason) in enumerate(DEFECTS.values()) if reason is not None
    ]
    assert rows == expected


def test_the_feeds_good_items_and_the_other_feed_publish(published: Path):
    titles = query(
        published, "select title from marts.posts where feed_id = 'defects' order by title"
    )
    assert titles == [
        ("A good post",),
        ("Another good post",),
        ("Garbled date",),
        ("No date is fine",),
    ]
    per_feed = query(published, "select feed_id, count(*) from marts.posts group by 1 order by 1")
    assert per_feed == [("defects", 4), ("webrtc-blog", 5)]


def test_a_date_that_does_not_parse_is_kept_as_text_and_warned(published: Path):
    undated = query(
        published,
        "select title, published_at, published_at_source, published_text, has_unparsed_date"
        " from marts.posts where feed_id = 'defects' and published_at is null order by title",
    )
    assert undated == [
        ("Garbled date", None, None, "the day after tomorrow", True),
        ("No date is fine", None, None, None, False),
    ]
    warned = query(
        published,
        "select severity, success, unexpected_count from quality.validation_runs"
        " where suite = 'marts_posts' and column_name = 'has_unparsed_date'",
    )
    assert warned == [("warning", False, 1)]
