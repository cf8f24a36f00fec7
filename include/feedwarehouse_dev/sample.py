"""Deterministic synthetic WordPress RSS 2.0 feeds shaped like a WebRTC industry blog.

Each feed's posts are drawn by sample_posts and written by sample_rss; this module writes the
set: the live feeds, their daily archive snapshots and the feeds.yml listing them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from feedwarehouse_dev.sample_posts import SampleItem, draw_posts, feed_identity
from feedwarehouse_dev.sample_rss import item_xml, write_rss

# under the sample directory: <Y>/<m>/<d>/<feed_id>.xml, each feed as it stood at the end of a day
ARCHIVE_DIR = "archive"
DEFAULT_END_DATE = date(2026, 11, 23)  # a fixed date: the same feeds every time


def normalize_tag(category: str) -> str:
    """Slug of a category: the key tags are deduplicated on."""
    return re.sub(r"[^a-z0-9]+", "-", " ".join(category.split()).lower()).strip("-")


def normalize_author(name: str) -> str:
    """Key authors are deduplicated on: whitespace collapsed, lower case."""
    return " ".join(name.split()).lower()


@dataclass(frozen=True)
class SampleFeed:
    feed_id: str
    title: str
    site_url: str
    path: Path
    items: tuple[SampleItem, ...]

    def items_until(self, day: date) -> tuple[SampleItem, ...]:
        """The items the feed held at the end of `day`: its archive snapshot for that date."""
        return tuple(item for item in self.items if item.published_at.date() <= day)


@dataclass(frozen=True)
class SampleSet:
    out_dir: Path
    feeds_file: Path
    feeds: tuple[SampleFeed, ...]
    archive_days: tuple[date, ...] = ()  # the dates with an archive snapshot, oldest first

    @property
    def post_count(self) -> int:
        """Total items over all feeds (every item is a distinct post)."""
        return sum(len(feed.items) for feed in self.feeds)

    @property
    def tag_slugs(self) -> frozenset[str]:
        """Distinct normalized tags over all items of all feeds."""
        return frozenset(
            normalize_tag(c) for f in self.feeds for i in f.items for c in i.categories
        )

    @property
    def author_keys(self) -> frozenset[str]:
        """Distinct normalized authors over all items of all feeds."""
        return frozenset(normalize_author(i.author) for f in self.feeds for i in f.items)


def _make_feed(
    out_dir: Path, index: int, items: int, seed: int, end_date: date
) -> tuple[SampleFeed, list[str]]:
    """Generate one feed, write its XML; return its description and each item's XML."""
    feed_id, title, site = feed_identity(index)
    posts = draw_posts(index, items, seed, end_date)
    sample_items = [post.item for post in posts]
    xml_items = [item_xml(post) for post in posts]
    path = out_dir / f"{feed_id}.xml"
    write_rss(path, title, site, sample_items, xml_items)
    return SampleFeed(feed_id, title, site, path, tuple(sample_items)), xml_items


def _write_archives(
    out_dir: Path, feed: SampleFeed, xml_items: Sequence[str], days: Sequence[date]
) -> str:
    """Write the feed as it stood at the end of each day; return the archive_url template."""
    for day in days:
        kept = [i for i, item in enumerate(feed.items) if item.published_at.date() <= day]
        target = out_dir / ARCHIVE_DIR / f"{day:%Y/%m/%d}" / f"{feed.feed_id}.xml"
        items, xml = [feed.items[i] for i in kept], [xml_items[i] for i in kept]
        write_rss(target, feed.title, feed.site_url, items, xml)
    return f"{(out_dir / ARCHIVE_DIR).resolve().as_uri()}/{{Y}}/{{m}}/{{d}}/{feed.feed_id}.xml"


def generate_sample(
    out_dir: str | Path,
    feeds: int = 2,
    items: int = 20,
    seed: int = 42,
    end_date: date = DEFAULT_END_DATE,
    archive_days: int = 0,
) -> SampleSet:
    """Write `feeds` synthetic feeds of `items` weekly posts each plus a feeds.yml listing them.

    With `archive_days`, also a snapshot of each feed for each of the days up to `end_date`
    (the posts published by the end of that day) and an `archive_url` pointing at them, so
    a backfill of those dates reads what the feed served then.
    """
    if feeds < 1:
        raise ValueError(f"feeds must be >= 1, got {feeds}")
    if items < 1:
        raise ValueError(f"items must be >= 1, got {items}")
    if archive_days < 0:
        raise ValueError(f"archive_days must be >= 0, got {archive_days}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    days = tuple(end_date - timedelta(days=n) for n in reversed(range(archive_days)))
    made: list[SampleFeed] = []
    listing: list[dict[str, str]] = []
    for index in range(feeds):
        feed, xml_items = _make_feed(out, index, items, seed, end_date)
        made.append(feed)
        listing.append({"id": feed.feed_id, "url": feed.path.resolve().as_uri()})
        if days:
            listing[-1]["archive_url"] = _write_archives(out, feed, xml_items, days)
    feeds_file = out / "feeds.yml"
    feeds_file.write_text(
        yaml.safe_dump({"feeds": listing}, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return SampleSet(out_dir=out, feeds_file=feeds_file, feeds=tuple(made), archive_days=days)
