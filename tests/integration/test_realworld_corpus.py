"""Real-world feed shapes through the real pipeline: every template of
tests/helpers/realworld/shapes.py is served on 127.0.0.1, all of them loaded by one
`feedwarehouse run`, and the published BI file must hold exactly the expected posts, authors
and tags, field by field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from helpers.realworld.shapes import LOGICAL_DATE, TAG_SLUGS, ExpectedPost, Template, corpus
from helpers.realworld.shapes import expected_authors as authors_of
from pytest_httpserver import HTTPServer

from feedwarehouse.cli import main
from feedwarehouse.config import data_paths

pytestmark = pytest.mark.slow

# the ExpectedPost fields compared with marts.posts (joined to authors and tags)
FIELDS = (
    "url",
    "published_at",
    "published_at_source",
    "published_text",
    "body_source",
    "content_text",
    "word_count",
    "summary",
    "author",
    "tags",
    "comments_count",
    "enclosure_count",
)

POSTS_SQL = """
    select
        posts.post_id, posts.feed_id, posts.title, posts.url, posts.published_at,
        posts.published_at_source, posts.published_text, posts.body_source,
        posts.content_text, posts.word_count, posts.summary, authors.name as author,
        posts.comments_count, posts.enclosure_count
    from marts.posts as posts
    left join marts.authors as authors on posts.author_id = authors.author_id
"""
POST_TAGS_SQL = """
    select post_tags.post_id, tags.name, tags.slug
    from marts.post_tags as post_tags
    inner join marts.tags as tags on post_tags.tag_id = tags.tag_id
"""


@dataclass(frozen=True)
class CorpusRun:
    exit_code: int
    templates: list[Template]
    # (feed_id, title) -> the post's fields as FIELDS names them; several if titles repeat
    posts: dict[tuple[str, str], list[dict[str, Any]]]
    tags: set[tuple[str, str]]
    authors: list[str]
    # (feed_id, title) of the posts flagged has_unparsed_date
    undated: list[tuple[str, str]]
    # (feed_id, reason) of quality.quarantined_entries
    quarantined: list[tuple[str, str]]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    work = tmp_path_factory.mktemp("realworld")
    with HTTPServer(host="127.0.0.1", threaded=True) as server:
        origin = server.url_for("/").rstrip("/")
        templates = corpus(origin)
        for template in templates:
            server.expect_request(template.path).respond_with_data(
                template.payload, content_type=template.content_type
            )
        feeds_file = work / "feeds.yml"
        feeds = [{"id": t.feed_id, "url": f"{origin}{t.path}"} for t in templates]
        feeds_file.write_text(
            yaml.safe_dump({"allow_private_hosts": True, "feeds": feeds}), encoding="utf-8"
        )
        logical_date = date.fromisoformat(LOGICAL_DATE)
        argv = ["run", "--feeds", str(feeds_file), "--date", LOGICAL_DATE]
        argv += ["--today", str(logical_date + timedelta(days=1)), "--data-dir", str(work)]
        exit_code = main(argv)
    return CorpusRun(exit_code, templates, *read_published(data_paths(work).published))


def read_published(
    database: Path,
) -> tuple[
    dict[tuple[str, str], list[dict[str, Any]]],
    set[tuple[str, str]],
    list[str],
    list[tuple[str, str]],
    list[tuple[str, str]],
]:
    """Posts by (feed id, title) with their author's name and tags, all tags, all author names,
    the posts whose date text did not parse, and the quarantined entries' reasons."""
    if not database.is_file():
        return {}, set(), [], [], []
    conn = duckdb.connect(str(database), read_only=True)
    try:
        cursor = conn.execute(POSTS_SQL)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        post_tags = conn.execute(POST_TAGS_SQL).fetchall()
        tags = set(conn.execute("select name, slug from marts.tags").fetchall())
        authors = [name for (name,) in conn.execute("select name from marts.authors").fetchall()]
        undated = conn.execute(
            "select feed_id, title from marts.posts where has_unparsed_date order by all"
        ).fetchall()
        quarantined = conn.execute(
            "select feed_id, reason from quality.quarantined_entries order by all"
        ).fetchall()
    finally:
        conn.close()
    tags_of: dict[str, list[tuple[str, str]]] = {}
    for post_id, name, slug in post_tags:
        tags_of.setdefault(post_id, []).append((name, slug))
    posts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        row["tags"] = tuple(sorted(tags_of.get(row["post_id"], [])))
        posts.setdefault((row["feed_id"], row["title"]), []).append(row)
    return posts, tags, authors, undated, quarantined


def expected_fields(post: ExpectedPost) -> dict[str, Any]:
    fields = {name: getattr(post, name) for name in FIELDS}
    fields["tags"] = tuple(sorted((name, TAG_SLUGS[name]) for name in post.tags))
    return fields


def mismatches(template: Template, posts: dict[tuple[str, str], list[dict[str, Any]]]) -> list[str]:
    """Every difference between a template's expected posts and marts, one line each."""
    problems: list[str] = []
    expected_titles = {post.title for post in template.posts}
    for feed_id, title in posts:
        if feed_id == template.feed_id and title not in expected_titles:
            problems.append(f"{feed_id} / {title!r}: unexpected post in marts.posts")
    for post in template.posts:
        where = f"{template.feed_id} / {post.title!r}"
        found = posts.get((template.feed_id, post.title), [])
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} rows in marts.posts, expected 1")
            continue
        actual = found[0]
        for name, value in expected_fields(post).items():
            if actual[name] != value:
                problems.append(f"{where}: {name} expected {value!r}, got {actual[name]!r}")
    return problems


def test_the_run_publishes(corpus_run: CorpusRun) -> None:
    assert corpus_run.exit_code == 0
    assert corpus_run.posts, "the published BI file has no posts"


@pytest.mark.parametrize(
    "feed_id", [t.feed_id for t in corpus("http://127.0.0.1")], ids=lambda feed_id: feed_id
)
def test_every_entry_becomes_its_exact_post(corpus_run: CorpusRun, feed_id: str) -> None:
    (template,) = [t for t in corpus_run.templates if t.feed_id == feed_id]
    problems = mismatches(template, corpus_run.posts)
    quirks = "; ".join(template.quirks)
    assert not problems, f"{template.family} ({quirks}):\n" + "\n".join(problems)


def test_tags_are_exactly_the_entry_categories_of_the_corpus(corpus_run: CorpusRun) -> None:
    """No feed-level category (Blogger's 300 labels, podcast itunes:category) is a tag; no
    tag in another script or made of an emoji is lost; case and whitespace duplicates merge."""
    expected = set(TAG_SLUGS.items())
    assert sorted(corpus_run.tags - expected) == [], "tags not in any entry's categories"
    assert sorted(expected - corpus_run.tags) == [], "tags missing (or named/slugged otherwise)"


def test_authors_are_exactly_the_named_ones(corpus_run: CorpusRun) -> None:
    """One author per normalized name; placeholders (Unknown <noreply@…>, no-reply@…) and
    author-less entries add none."""
    assert sorted(corpus_run.authors) == sorted(authors_of(corpus_run.templates))


def test_an_unparseable_date_keeps_the_post_and_is_flagged(corpus_run: CorpusRun) -> None:
    """Only the pt-BR entry dated "soon" (localized names all parse) is published undated."""
    assert corpus_run.undated == [("pt-news", "Próximas coberturas")]


def test_entries_that_are_no_post_are_quarantined_with_their_reason(corpus_run: CorpusRun) -> None:
    """Issue 23: an empty <item/> (nested in another) is no post; it is listed with a reason."""
    expected = sorted(
        (template.feed_id, reason)
        for template in corpus_run.templates
        for reason in template.quarantined
    )
    assert corpus_run.quarantined == expected
