"""JSON Feed 1.0/1.1 (parse.jsonfeed): detection, fields, and the same landing path as XML
(conditional GET, the raw load, replay from the landing zone alone)."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest
from helpers.landing_feed import FAST
from pytest_httpserver import HTTPServer

from feedwarehouse.cli import main
from feedwarehouse.config import Feed, Paths
from feedwarehouse.extract.feeds import extract
from feedwarehouse.extract.land import read_manifest
from feedwarehouse.load.raw import load_raw
from feedwarehouse.parse.feed import FeedParseError, count_entries, parse_feed
from feedwarehouse.warehouse import connect

DAY, LATER = date(2026, 11, 23), date(2026, 11, 24)
FEED_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "One Oh",
    "home_page_url": "https://old.example/",
    "author": {"name": "ana@old.example (Ana Lima)"},
    "items": [
        {
            "id": "a",
            "url": "/posts/a",
            "title": "Alpha",
            "content_text": "Line one.\nLine <two>.",
            "date_published": "2026-11-20T08:00:00-03:00",
            "tags": ["x", " y ", 3],
        },
        {"id": "b", "title": "Beta", "date_published": "Sex, 20 Nov 2026 09:00:00 -0300"},
        "not an item",
    ],
}


def payload(document: dict[str, object]) -> bytes:
    return json.dumps(document).encode()


def test_json_feed_1_0_by_content_whatever_the_content_type() -> None:
    for content_type in (None, "application/json", "text/plain; charset=utf-8"):
        feed = parse_feed(
            payload(FEED_10), source="https://old.example/feed.json", content_type=content_type
        )
        assert (feed.title, feed.link, feed.language) == ("One Oh", "https://old.example/", None)
        assert feed.bozo_reason == "1 items that are not JSON objects skipped"
        alpha, beta = feed.entries
        assert (alpha.guid, alpha.link, alpha.title, alpha.author_name) == (
            "a",
            "https://old.example/posts/a",
            "Alpha",
            "Ana Lima",
        )
        assert (alpha.published_at, alpha.categories) == (datetime(2026, 11, 20, 11, 0), ["x", "y"])
        assert (alpha.body_source, alpha.body_html) == (
            "content_text",
            "Line one.<br>Line &lt;two&gt;.",
        )
        # a date that is no RFC 3339 is read as leniently as an RSS date
        assert (beta.link, beta.body_source, beta.published_at) == (
            None,
            None,
            datetime(2026, 11, 20, 12, 0),
        )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "served as application/feed\\+json but not JSON"),
        (
            b'{"version": "2", "items": []}',
            "served as .* but its `version` is '2', not https://jsonfeed",
        ),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "a JSON Feed without an `items` list"),
    ],
    ids=["not-json", "other-version", "no-items"],
)
def test_a_broken_json_feed_says_what_is_wrong(body: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError, match=f"^https://j.example/f: {reason}"):
        parse_feed(body, source="https://j.example/f", content_type="application/feed+json")


def test_a_json_object_that_is_no_json_feed_is_not_a_feed() -> None:
    with pytest.raises(FeedParseError, match="not a recognizable RSS/Atom/JSON feed"):
        parse_feed(b'{"hello": "world"}', source="s", content_type="application/json")


def test_archive_pages_count_json_feed_items() -> None:
    assert count_entries(payload(FEED_10), source="s") == 2


def test_conditional_get_load_and_replay_of_a_json_feed(
    httpserver: HTTPServer, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = {"ETag": '"j1"', "Content-Type": "application/feed+json"}
    httpserver.expect_ordered_request("/feed.json").respond_with_data(
        payload(FEED_10), headers=headers
    )
    httpserver.expect_ordered_request(
        "/feed.json", headers={"If-None-Match": '"j1"'}
    ).respond_with_data("", status=304)
    feed = Feed("json", httpserver.url_for("/feed.json"))
    first = extract(feed, DAY, paths, FAST)
    second = extract(feed, LATER, paths, FAST)
    httpserver.check_assertions()
    assert (read_manifest(second).http_status, read_manifest(second).is_unchanged) == (304, True)

    conn = connect(paths.warehouse)
    summary = load_raw(conn, paths, [first, second])
    rows = conn.execute(
        "select logical_date, guid, link, title from raw.entries order by all"
    ).fetchall()
    conn.close()
    assert (summary.loaded, summary.unchanged) == ({"json": 0}, ["json"])
    assert rows == [
        (date(2026, 11, 23), "a", "https://old.example/posts/a", "Alpha"),
        (date(2026, 11, 23), "b", None, "Beta"),
    ]

    paths.warehouse.unlink()
    httpserver.clear()  # replay needs no network
    assert main(["replay", "--date", DAY.isoformat(), "--data-dir", str(paths.data_dir)]) == 0
    assert capsys.readouterr().out.splitlines() == ["replayed json for 2026-11-23: 2 entries"]
    conn = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        assert conn.execute("select guid from raw.entries order by all").fetchall() == [
            ("a",),
            ("b",),
        ]
    finally:
        conn.close()


def test_the_raw_record_keeps_the_item_with_absolute_urls() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "home_page_url": "https://u.example/blog/",
        "items": [
            {
                "id": "1",
                "url": "p/1",
                "image": "/img/1.png",
                "attachments": [{"url": "media/1.mp3", "mime_type": "audio/mpeg"}, "junk"],
            }
        ],
    }
    [entry] = parse_feed(payload(document), source="https://feeds.example/u.json").entries
    assert json.loads(entry.entry_json) == {
        "id": "1",
        "url": "https://u.example/blog/p/1",
        "image": "https://u.example/img/1.png",
        "attachments": [
            {"url": "https://u.example/blog/media/1.mp3", "mime_type": "audio/mpeg"},
            "junk",
        ],
    }
    assert (entry.link, entry.enclosure_count) == ("https://u.example/blog/p/1", 2)
