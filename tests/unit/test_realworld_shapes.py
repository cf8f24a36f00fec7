"""The real-world corpus itself: each payload is the feed it claims to be, and its expected rows
agree with one another (so a corpus test failure is the pipeline's, not the corpus's)."""

from __future__ import annotations

import io
import json
from xml.parsers import expat

import feedparser
import pytest
from feedparser import CharacterEncodingOverride
from helpers.realworld.shapes import TAG_SLUGS, Template, corpus, expected_authors

from feedwarehouse.parse import charset

ORIGIN = "http://127.0.0.1:8000"
TEMPLATES = corpus(ORIGIN)
XML_TEMPLATES = [t for t in TEMPLATES if not t.is_json_feed]
# templates whose titles hold markup or references: feedparser keeps them, the marts do not
HTML_TITLES = {"dtd-titles", "atom-base"}


def parsed(template: Template) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(template.payload), sanitize_html=False)


def test_one_template_per_feed_id() -> None:
    feed_ids = [template.feed_id for template in TEMPLATES]
    assert len(feed_ids) == len(set(feed_ids)) == 26


@pytest.mark.parametrize("template", XML_TEMPLATES, ids=lambda t: t.feed_id)
def test_payload_is_well_formed_unless_deliberately_not(template: Template) -> None:
    """Well-formed once decoded (expat reads no Shift_JIS or GB2312 itself); feedparser's only
    note on those is that it read them with the browsers' superset of the declared charset."""
    result = parsed(template)
    is_bozo = bool(result.bozo) and not isinstance(
        result.get("bozo_exception"), CharacterEncodingOverride
    )
    assert is_bozo is not template.is_well_formed, result.get("bozo_exception")
    decoded = charset.decode(template.payload, template.content_type).payload
    assert strict_parse_error(decoded) is None or not template.is_well_formed


def test_the_json_feed_is_json_feed_1_1() -> None:
    (template,) = [t for t in TEMPLATES if t.feed_id == "json-feed"]
    document = json.loads(template.payload)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["title"] for item in document["items"]] == [
        "First post",
        "Second   post",
        "Third post",
    ]


def strict_parse_error(payload: bytes) -> str | None:
    """What expat, a strict XML parser, says is wrong with the payload (None: nothing)."""
    try:
        expat.ParserCreate().Parse(payload, True)
    except expat.ExpatError as exc:
        return str(exc)
    return None


def test_the_malformed_payload_is_a_bom_and_whitespace_before_the_declaration() -> None:
    (hugo,) = [t for t in TEMPLATES if not t.is_well_formed]
    assert hugo.payload.startswith(b"\xef\xbb\xbf\n\n  <?xml ")
    assert (
        strict_parse_error(hugo.payload)
        == "XML or text declaration not at start of entity: line 3, column 2"
    )
    assert strict_parse_error(hugo.payload[3:].lstrip()) is None


@pytest.mark.parametrize("template", XML_TEMPLATES, ids=lambda t: t.feed_id)
def test_every_entry_has_its_expected_post_in_order(template: Template) -> None:
    result = parsed(template)
    titles = [entry.title for entry in result.entries if entry.get("title")]
    if template.feed_id in HTML_TITLES:
        assert len(titles) == len(template.posts)
    else:
        assert titles == [p.title for p in template.posts]
    assert len(result.entries) == len(template.posts) + len(template.quarantined)
    assert len(template.posts) >= 2


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.feed_id)
def test_expected_rows_agree_with_themselves(template: Template) -> None:
    for post in template.posts:
        where = f"{template.feed_id} / {post.title}"
        assert post.word_count == len((post.content_text or "").split()), where
        assert (post.content_text is None) == (post.body_source is None), where
        assert post.content_text in (None, " ".join((post.content_text or "").split())), where
        assert (post.published_at is None) == (post.published_at_source is None), where
        assert set(post.tags) <= set(TAG_SLUGS), where
        assert list(post.tags) == sorted(post.tags), where
        assert post.url.startswith(("https://", ORIGIN + "/")), where


def test_every_tag_is_used_and_every_slug_unique() -> None:
    used = {tag for template in TEMPLATES for post in template.posts for tag in post.tags}
    assert used == set(TAG_SLUGS)
    slugs = list(TAG_SLUGS.values())
    assert len(slugs) == len(set(slugs))
    assert all(slugs)


def test_the_c_family_collides_on_purpose() -> None:
    assert TAG_SLUGS["C"] == "c"
    assert TAG_SLUGS["C#"].startswith("c-")
    assert TAG_SLUGS["C++"].startswith("c-")
    assert len(TAG_SLUGS["C#"]) == len(TAG_SLUGS["C++"]) == 8


def test_blogger_lists_300_feed_level_labels() -> None:
    (blogger,) = [t for t in TEMPLATES if t.feed_id == "blogger"]
    feed = parsed(blogger).feed
    assert len(feed.tags) == 300
    assert "'" in blogger.payload.decode()[:60]


def test_authors_of_the_corpus() -> None:
    assert expected_authors(TEMPLATES) == {
        "Ana Souza",
        "Rui Matos",
        "Lena Fischer",
        "Jonas Berg",
        "Mei Tanaka",
        "Priya Raman",
        "Inês Duarte",
        "Kofi Mensah",
        "Lucía Pérez",
        "Tomás Silva",
        "Latency Lab",
        "Olu Adeyemi",
        "Beatriz Lima",
        "Carmen Ruiz",
        "Élodie Martin",
        "Jürgen Weiß",
        "Sam Okafor",
        "山田 花子",
        "王伟",
        "Noor Haddad",
        "Hana Ito",
        "Dev Patel",
        "Packet Stories Show",
        "Ola Berg",
        "Mara Quinn",
        "佐藤 一郎",
        "Ten Author",
    }


def test_relative_links_depend_on_the_origin_only_where_nothing_else_is_absolute() -> None:
    elsewhere = corpus("http://127.0.0.1:9999")
    for here, there in zip(TEMPLATES, elsewhere, strict=True):
        same = [p.url for p in here.posts] == [p.url for p in there.posts]
        assert same is (here.feed_id not in ("hugo", "atom-base")), here.feed_id
