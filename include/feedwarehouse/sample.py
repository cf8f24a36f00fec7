"""Deterministic synthetic WordPress RSS 2.0 feeds shaped like a WebRTC industry blog."""

# Curly quotes and dashes are deliberate: real feeds carry them.
# ruff: noqa: RUF001

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr, unescape

import yaml

from feedwarehouse.sample_words import (
    APPS,
    AUDIENCES,
    CATEGORIES,
    FIRST_NAMES,
    H2,
    H3,
    LAST_NAMES,
    LATENCY,
    SENTENCES,
    STEPS,
    TECH,
    TITLES,
    TRAITS,
)

GENERATOR = "https://wordpress.org/?v=6.7.1"
# under the sample directory: <Y>/<m>/<d>/<feed_id>.xml, each feed as it stood at the end of a day
ARCHIVE_DIR = "archive"
DEFAULT_END_DATE = date(2026, 11, 23)  # a fixed date: the same feeds every time

# how WordPress opens its RSS 2.0 feeds (namespaces and layout), up to the channel's children
WORDPRESS_RSS_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
    '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
    '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
    '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
    '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
    '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
    '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n\t>\n\n<channel>\n'
)


def normalize_tag(category: str) -> str:
    """Slug of a category: the key tags are deduplicated on."""
    return re.sub(r"[^a-z0-9]+", "-", " ".join(category.split()).lower()).strip("-")


def normalize_author(name: str) -> str:
    """Key authors are deduplicated on: whitespace collapsed, lower case."""
    return " ".join(name.split()).lower()


@dataclass(frozen=True)
class SampleItem:
    post_number: int
    guid: str
    link: str
    title: str
    author: str
    published_at: datetime
    categories: tuple[str, ...]
    comments_count: int


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


def _cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any embedded terminator."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _slug(text: str) -> str:
    """WordPress-like post slug: quotes dropped, other non-alphanumerics become dashes."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"[‘’'“”\"]", "", text.lower())).strip("-")


def _fill(template: str, rng: random.Random, year: int) -> str:
    """Fill a template's slots with fresh random vocabulary."""
    tech, tech2 = rng.sample(TECH, 2)
    return template.format(
        tech=tech, Tech=tech[0].upper() + tech[1:], tech2=tech2, app=rng.choice(APPS),
        audience=rng.choice(AUDIENCES), n=rng.randint(3, 9), year=year,
    )  # fmt: skip


def _authors(seed: int, index: int) -> list[str]:
    """Author pool of one feed, dominant first; two names are shared by every feed."""
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    random.Random(seed).shuffle(names)
    own = [names[2 + (2 * index + k) % (len(names) - 2)] for k in range(2)]
    if index == 0:
        return [names[0], names[1], own[0]]
    return [own[0], names[0].replace(" ", "  "), own[1], names[1]]  # a sloppy profile spelling


def _content(rng: random.Random, year: int, site: str, title: str, link: str, feed: str) -> str:
    """Rich WordPress-style HTML body of one post."""

    def para(count: int) -> str:
        return " ".join(_fill(s, rng, year) for s in rng.sample(SENTENCES, count))

    tech = rng.choice(TECH)
    glossary = quoteattr(f"{site}/glossary/{_slug(tech)}/")
    rows = "".join(
        f"<tr><td>{escape(t)}</td><td>{escape(rng.choice(LATENCY))}</td>"
        f"<td>{rng.choice(('Low', 'Medium', 'High'))}</td><td>{rng.choice(APPS)}</td></tr>"
        for t in rng.sample(TECH, 3)
    )
    steps = sorted(rng.sample(range(len(STEPS)), rng.randint(3, 5)))
    parts = [
        f"<h2>{rng.choice(H2)}</h2>",
        f"<p>{escape(para(3))}</p>",
        f"<p><em>{escape(para(1))}</em> Read more in <a href={glossary}>our {escape(tech)} "
        "primer</a>.</p>",
        f"<h3>{rng.choice(H3)}</h3>",
        "<table><thead><tr><th>Technology</th><th>Latency</th><th>Complexity</th>"
        f"<th>Best for</th></tr></thead><tbody>{rows}</tbody></table>",
        "<ol>" + "".join(f"<li>{escape(_fill(STEPS[s], rng, year))}</li>" for s in steps) + "</ol>",
        f"<p>{escape(para(2))}</p>",
        "<ul>"
        + "".join(f"<li><strong>{escape(t)}</strong> – {rng.choice(TRAITS)}</li>"
                  for t in rng.sample(TECH, rng.randint(3, 5)))
        + "</ul>",
    ]  # fmt: skip
    if rng.random() < 0.3:
        handle = rng.choice(("rtc_watcher", "videodev", "sfu_fan"))
        status = rng.randrange(10**18, 2 * 10**18)
        parts.append(
            f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{escape(para(1))}</p>'
            f'— {handle} (@{handle}) <a href="https://twitter.com/{handle}/status/{status}">'
            f"{year}</a></blockquote>"
            '<script async src="https://platform.twitter.com/widgets.js"></script>'
        )
    parts.append(
        f"<p><strong>Planning your next {escape(rng.choice(APPS))} project?</strong> "
        f'<a href="{site}/services/">Talk to us about it</a>.</p>'
    )
    parts.append(
        f"<p>The post <a href={quoteattr(link)}>{escape(title)}</a> appeared first on "
        f"<a href={quoteattr(site)}>{escape(feed)}</a>.</p>"
    )
    return "\n".join(parts)


def _make_feed(
    out_dir: Path, index: int, items: int, seed: int, end_date: date
) -> tuple[SampleFeed, list[str]]:
    """Generate one feed, write its XML; return its description and each item's XML."""
    rng = random.Random(seed + index)
    feed_id = "webrtc-blog" if index == 0 else f"sample-blog-{index + 1}"
    site = f"https://{feed_id}.example.com"
    title = "WebRTC Blog — Video, Voice & CPaaS" if index == 0 else f"Sample Blog {index + 1}"
    authors = _authors(seed, index)
    monday = end_date - timedelta(days=end_date.weekday())
    number = 1000 + rng.randrange(9000)
    numbers = [number := number + rng.randint(3, 40) for _ in range(items)][::-1]
    seen: set[str] = set()
    sample_items: list[SampleItem] = []
    xml_items: list[str] = []
    for i in range(items):  # newest first, as WordPress serves it
        roll = rng.random()
        day = min(monday - timedelta(weeks=i) + timedelta(days=(roll >= 0.85) + (roll >= 0.95)),
                  end_date)  # fmt: skip
        clock = time(rng.choice((12, 12, 12, 11, 13, 15)), rng.choice((30, 30, 30, 0, 15, 45)))
        published = datetime.combine(day, clock, tzinfo=UTC)
        post_title = _fill(rng.choice(TITLES), rng, day.year)
        suffix = 2
        while post_title in seen:
            post_title, suffix = f"{post_title.rsplit(' (part ', 1)[0]} (part {suffix})", suffix + 1
        seen.add(post_title)
        link = f"{site}/{day:%Y/%m/%d}/{_slug(post_title)}/"
        author = authors[1] if i == 1 else authors[0]
        if i != 1 and rng.random() > 0.7:
            author = rng.choice(authors[1:])
        groups = [0, *rng.sample(range(1, len(CATEGORIES)), rng.randint(1, 4))]
        rng.shuffle(groups)
        categories = tuple(
            CATEGORIES[g][1] if g == 0 and i % 4 == 3 and len(CATEGORIES[g]) > 1
            else CATEGORIES[g][0] if g == 0 or rng.random() < 0.75
            else rng.choice(CATEGORIES[g])
            for g in groups
        )  # fmt: skip
        item = SampleItem(
            post_number=numbers[i],
            guid=f"{site}/?p={numbers[i]}",
            link=link,
            title=post_title,
            author=author,
            published_at=published,
            categories=categories,
            comments_count=min(int(rng.expovariate(0.25)), 60),
        )
        content = _content(rng, day.year, site, post_title, link, title)
        intro = unescape(re.sub(r"<[^>]+>", "", content.split("\n")[1]))
        excerpt = " ".join(intro.split()[:40]) + " [&#8230;]"
        xml_items.append(
            f"\t<item>\n\t\t<title>{escape(post_title)}</title>\n\t\t<link>{escape(link)}</link>\n"
            f"\t\t<comments>{escape(link)}#respond</comments>\n"
            f"\t\t<dc:creator>{_cdata(author)}</dc:creator>\n"
            f"\t\t<pubDate>{format_datetime(published)}</pubDate>\n"
            + "".join(f"\t\t<category>{_cdata(c)}</category>\n" for c in categories)
            + f'\t\t<guid isPermaLink="false">{escape(item.guid)}</guid>\n'
            f"\t\t<description>{_cdata(excerpt)}</description>\n"
            f"\t\t<content:encoded>{_cdata(content)}</content:encoded>\n"
            f"\t\t<wfw:commentRss>{escape(link)}feed/</wfw:commentRss>\n"
            f"\t\t<slash:comments>{item.comments_count}</slash:comments>\n\t</item>\n"
        )
        sample_items.append(item)
    path = out_dir / f"{feed_id}.xml"
    _write_rss(path, title, site, sample_items, xml_items)
    return SampleFeed(feed_id, title, site, path, tuple(sample_items)), xml_items


def _write_rss(
    path: Path, title: str, site: str, items: Sequence[SampleItem], xml_items: Sequence[str]
) -> None:
    """Write one RSS 2.0 document holding `items` (newest first), rendered as `xml_items`."""
    newest = items[0].published_at if items else None
    build_date = f"\t<lastBuildDate>{format_datetime(newest)}</lastBuildDate>\n" if newest else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        (
            WORDPRESS_RSS_OPEN + f"\t<title>{escape(title)}</title>\n"
            f'\t<atom:link href="{site}/feed/" rel="self" type="application/rss+xml" />\n'
            f"\t<link>{site}</link>\n"
            "\t<description>Analysis &amp; opinions on WebRTC and real-time video</description>\n"
            f"{build_date}"
            "\t<language>en-US</language>\n"
            "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
            "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
            f"\t<generator>{GENERATOR}</generator>\n" + "".join(xml_items) + "</channel>\n</rss>\n"
        ).encode()
    )


def _write_archives(
    out_dir: Path, feed: SampleFeed, xml_items: Sequence[str], days: Sequence[date]
) -> str:
    """Write the feed as it stood at the end of each day; return the archive_url template."""
    for day in days:
        kept = [i for i, item in enumerate(feed.items) if item.published_at.date() <= day]
        target = out_dir / ARCHIVE_DIR / f"{day:%Y/%m/%d}" / f"{feed.feed_id}.xml"
        items, xml = [feed.items[i] for i in kept], [xml_items[i] for i in kept]
        _write_rss(target, feed.title, feed.site_url, items, xml)
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
