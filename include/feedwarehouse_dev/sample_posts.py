"""The posts of one synthetic feed, drawn from the word lists: dates, titles, authors, bodies."""

# Curly quotes and dashes are deliberate: real feeds carry them.
# ruff: noqa: RUF001

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from xml.sax.saxutils import escape, quoteattr

from feedwarehouse_dev.sample_words import (
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
class SamplePost:
    """One drawn post: its item fields and the HTML body its feed carries."""

    item: SampleItem
    content: str


def feed_identity(index: int) -> tuple[str, str, str]:
    """(feed_id, title, site URL) of the index-th sample feed; the first is the WebRTC blog."""
    feed_id = "webrtc-blog" if index == 0 else f"sample-blog-{index + 1}"
    title = "WebRTC Blog — Video, Voice & CPaaS" if index == 0 else f"Sample Blog {index + 1}"
    return feed_id, title, f"https://{feed_id}.example.com"


def draw_posts(index: int, items: int, seed: int, end_date: date) -> list[SamplePost]:
    """The feed's `items` weekly posts up to `end_date`, newest first, as WordPress serves them."""
    rng = random.Random(seed + index)
    _feed_id, title, site = feed_identity(index)
    authors = _authors(seed, index)
    monday = end_date - timedelta(days=end_date.weekday())
    number = 1000 + rng.randrange(9000)
    numbers = [number := number + rng.randint(3, 40) for _ in range(items)][::-1]
    seen: set[str] = set()
    posts: list[SamplePost] = []
    for i in range(items):
        roll = rng.random()
        day = min(
            monday - timedelta(weeks=i) + timedelta(days=(roll >= 0.85) + (roll >= 0.95)), end_date
        )
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
            CATEGORIES[g][1]
            if g == 0 and i % 4 == 3 and len(CATEGORIES[g]) > 1
            else CATEGORIES[g][0]
            if g == 0 or rng.random() < 0.75
            else rng.choice(CATEGORIES[g])
            for g in groups
        )
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
        posts.append(SamplePost(item, content))
    return posts


def _slug(text: str) -> str:
    """WordPress-like post slug: quotes dropped, other non-alphanumerics become dashes."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"[‘’'“”\"]", "", text.lower())).strip("-")


def _fill(template: str, rng: random.Random, year: int) -> str:
    """Fill a template's slots with fresh random vocabulary."""
    tech, tech2 = rng.sample(TECH, 2)
    return template.format(
        tech=tech,
        Tech=tech[0].upper() + tech[1:],
        tech2=tech2,
        app=rng.choice(APPS),
        audience=rng.choice(AUDIENCES),
        n=rng.randint(3, 9),
        year=year,
    )


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
        + "".join(
            f"<li><strong>{escape(t)}</strong> – {rng.choice(TRAITS)}</li>"
            for t in rng.sample(TECH, rng.randint(3, 5))
        )
        + "</ul>",
    ]
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
