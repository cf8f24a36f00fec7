"""The real-world corpus through parse and the text functions alone (no dbt): the fast loop.

tests/integration/test_realworld_corpus.py asserts the same fields in the published marts.
"""

from __future__ import annotations

import pytest
from helpers.realworld.shapes import ExpectedPost, Template, corpus

from feedwarehouse import text
from feedwarehouse.parse.entry_fields import post_date
from feedwarehouse.parse.feed import ParsedEntry, parse_feed

ORIGIN = "http://127.0.0.1:8000"
TEMPLATES = corpus(ORIGIN)


def as_marts_see_it(entry: ParsedEntry) -> dict[str, object]:
    """The posts-mart fields one parsed entry gives, by the rules of stg_raw__entries/posts."""
    published_at, source = post_date(entry.published_at, entry.updated_at, entry.updated_element)
    content_text = text.html_to_text(entry.body_html)
    return {
        "title": entry.title,
        "url": entry.link,
        "published_at": published_at,
        "published_at_source": source,
        "body_source": entry.body_source,
        "content_text": content_text,
        "word_count": len((content_text or "").split()),
        "summary": text.html_to_text(entry.summary) or None,
        # marts.authors names an author by the spelling most posts use: compare identities
        "author": text.name_key(entry.author_name),
    }


def expected_fields(post: ExpectedPost) -> dict[str, object]:
    return {
        "title": post.title,
        "url": post.url,
        "published_at": post.published_at,
        "published_at_source": post.published_at_source,
        "body_source": post.body_source,
        "content_text": post.content_text,
        "word_count": post.word_count,
        "summary": post.summary,
        "author": text.name_key(post.author),
    }


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.feed_id)
def test_every_entry_parses_to_its_expected_fields(template: Template):
    feed = parse_feed(
        template.payload, source=ORIGIN + template.path, content_type=template.content_type
    )
    # an entry that carries nothing is no post (quarantined by the marts)
    posts = [e for e in feed.entries if e.guid or e.link or e.title or e.body_html or e.published]
    assert len(feed.entries) - len(posts) == len(template.quarantined)
    for entry, post in zip(posts, template.posts, strict=True):
        assert as_marts_see_it(entry) == expected_fields(post), (template.feed_id, post.title)
