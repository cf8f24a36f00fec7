"""Content faults: feeds that fetch fine but whose bytes are broken, odd or huge.

One warehouse, three days, one dbt build: day 1 every feed is healthy; day 2 each feed
serves its fault (the control feed stays healthy); `pipeline.transform_marts` then builds the
marts (days 1 and 2); day 3 every feed is healthy again, loaded into raw only. Recovery is the
next day's fetch loading the fixed feed's entries exactly once (a rerun of day 2 would fetch an
unparseable payload again and replay a parseable one, see tests/unit/test_load.py).

Each fault's raw rows (raw.fetches, raw.entries) are checked exactly, and where dbt decides
(quality.quarantined_entries, marts.posts), the built rows too. The 100k-entry feed has a
warehouse of its own and no dbt build: its cost is the parse.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import faultkit
from helpers.faultkit import Ledger
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.config import Feed, Paths, data_paths
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse.extract.fetch_policy import MAX_BODY_BYTES, FetchPolicy
from feedwarehouse.load.raw import LoadSummary
from feedwarehouse.orchestration import steps as pipeline

pytestmark = [pytest.mark.faults, pytest.mark.slow]

DAY1, DAY2, DAY3 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
PUBLISHED = "Mon, 23 Nov 2026 10:00:00 +0000"
POLICY = FetchPolicy(attempts=1, connect_timeout=2, read_timeout=10, allow_private=True)
RSS_TYPE = "application/rss+xml; charset=utf-8"


def item(
    guid: str,
    title: str,
    *,
    content: str | None = None,
    published: str = PUBLISHED,
    link: str | None = None,
) -> str:
    body = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
    return (
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
        f"<link>{link or f'https://example.com/{guid}/'}</link><pubDate>{published}</pubDate>"
        f"{body}</item>"
    )


def rss(feed_id: str, items: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{feed_id}</title><link>https://{feed_id}.example.com/</link>{items}"
        "</channel></rss>"
    )


def clean(feed_id: str, posts: int) -> str:
    return rss(feed_id, "".join(item(f"{feed_id}-{n}", f"post {n}") for n in range(1, posts + 1)))


def clean_posts(feed_id: str, posts: int) -> list[tuple[str, str]]:
    return [(f"{feed_id}-{n}", f"post {n}") for n in range(1, posts + 1)]


CP1252_TITLE = "Café \u2013 \u201cquoted\u201d"
HUGE_CONTENT = "<p>" + "word " * 600_000 + "</p>"  # 3 MB, well under the 20 MB body cap
HUGE_TITLE = "T" * 1024 * 1024
HOSTILE_HTML = (
    '<p>Hello <a href="javascript:alert(1)">click</a> <a href="https://ok.example/">ok</a></p>'
    '<script>alert("xss")</script><img src="https://ok.example/a.png" onerror="alert(2)">'
    '<iframe src="https://evil.example/"></iframe><style>p { display: none }</style>'
)
HOMEPAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>A blog</title>'
    '<link rel="alternate" type="application/rss+xml" title="Feed" href="/feed/"></head>'
    "<body><h1>A blog</h1><p>Welcome</p></body></html>"
)
MALFORMED = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>malformed</title>'
    "<item><guid isPermaLink='false'>malformed-a</guid><title>Fish & chips</title>"
    "<description><p>an <b>unclosed tag</p></description></item>"
    "<item><guid isPermaLink='false'>malformed-b</guid><title>Second</title></item>"
    "</channel>"
)  # an unescaped &, markup in a description, no </rss>

# feed id -> (day-2 payload, Content-Type header)
FAULTS: dict[str, tuple[bytes, str]] = {
    "malformed": (MALFORMED.encode(), RSS_TYPE),
    "html": (HOMEPAGE.encode(), "text/html; charset=utf-8"),
    "empty": (b"", RSS_TYPE),
    # declared and served as UTF-8, written in windows-1252
    "charset": (rss("charset", item("charset-a", CP1252_TITLE)).encode("cp1252"), RSS_TYPE),
    # UTF-8 with two bytes that are not
    "badutf8": (
        rss("badutf8", item("badutf8-a", "Café “quoted”") + item("badutf8-b", "bad BAD here"))
        .encode()
        .replace(b"BAD", b"\xff\xfe"),
        RSS_TYPE,
    ),
    "nul": (
        rss("nul", item("nul-a", "Nul\x00here", content="<p>a\x00b</p>")).encode(),
        RSS_TYPE,
    ),
    "enormous": (
        rss(
            "enormous",
            item("enormous-a", "Huge", content=HUGE_CONTENT) + item("enormous-b", "Small"),
        ).encode(),
        RSS_TYPE,
    ),
    "dupguid": (
        rss(
            "dupguid",
            item("dupguid-same", "Same guid", content="<p>First version</p>")
            + item("dupguid-same", "Same guid", content="<p>Second version</p>"),
        ).encode(),
        RSS_TYPE,
    ),
    "dates": (
        rss(
            "dates",
            item("dates-1900", "Old", published="Mon, 01 Jan 1900 12:00:00 +0000")
            + item("dates-2999", "Future", published="Tue, 01 Jan 2999 12:00:00 +0000")
            + item("dates-now", "Now"),
        ).encode(),
        RSS_TYPE,
    ),
    "bigtitle": (
        rss("bigtitle", item("bigtitle-a", HUGE_TITLE) + item("bigtitle-b", "Short")).encode(),
        RSS_TYPE,
    ),
    "script": (
        rss(
            "script",
            item("script-a", "Scripted", content=HOSTILE_HTML)
            + item("script-b", "Linked", link="javascript:alert(3)"),
        ).encode(),
        RSS_TYPE,
    ),
}
FEED_IDS = ["control", *FAULTS]


@dataclass
class ContentDays:
    paths: Paths
    urls: dict[str, str]
    day2: LoadSummary
    day3: LoadSummary
    day1: faultkit.Rows
    day1_after: faultkit.Rows

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        conn = duckdb.connect(str(self.paths.warehouse), read_only=True)
        try:
            return conn.execute(sql, params or []).fetchall()
        finally:
            conn.close()

    def fetch(self, feed_id: str) -> tuple[Any, ...]:
        [row] = self.query(
            "select http_status, payload_bytes, entry_count, error, bozo_reason from raw.fetches "
            "where feed_id = ? and logical_date = ?",
            [feed_id, DAY2],
        )
        return row

    def entries(self, feed_id: str, day: date = DAY2) -> list[tuple[Any, ...]]:
        return self.query(
            "select guid, title from raw.entries where feed_id = ? and logical_date = ? "
            "order by entry_index",
            [feed_id, day],
        )

    def quarantined(self, feed_id: str) -> list[tuple[Any, ...]]:
        return self.query(
            "select entry_index, guid, reason from quality.quarantined_entries "
            "where feed_id = ? and logical_date = ? order by entry_index",
            [feed_id, DAY2],
        )

    def posts(self, feed_id: str) -> list[tuple[Any, ...]]:
        return self.query(
            "select guid, title from marts.posts where feed_id = ? order by guid", [feed_id]
        )

    def record(self, ledger: Ledger, feed_id: str, fault: str) -> tuple[bool, int, int]:
        """(recovered, lost, duplicated) of one feed: day 3 fixed, day 1 untouched."""
        recovered = self.day3.loaded.get(feed_id) == 3 and self.entries(feed_id, DAY3) == (
            clean_posts(feed_id, 3)
        )
        return faultkit.record_feed_fault(
            ledger, f"content: {fault}", feed_id, self.day1, self.day1_after, recovered=recovered
        )


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContentDays]:
    paths = data_paths(tmp_path_factory.mktemp("content") / "data")
    served: dict[str, tuple[bytes, str]] = {}

    def respond(request: Request) -> Response:
        body, content_type = served[request.path]
        return Response(body, headers={"Content-Type": content_type})

    with HTTPServer(host="127.0.0.1", threaded=True) as server:
        urls = {feed_id: server.url_for(f"/{feed_id}.xml") for feed_id in FEED_IDS}
        for feed_id in FEED_IDS:
            server.expect_request(f"/{feed_id}.xml").respond_with_handler(respond)
        feeds = [Feed(feed_id, url) for feed_id, url in urls.items()]

        def run(day: date, bodies: dict[str, tuple[bytes, str]]) -> LoadSummary:
            served.update({f"/{feed_id}.xml": body for feed_id, body in bodies.items()})
            extract_all(feeds, day, paths, POLICY)
            return pipeline.load_raw(day, paths, FEED_IDS)

        def healthy(posts: int) -> dict[str, tuple[bytes, str]]:
            return {feed_id: (clean(feed_id, posts).encode(), RSS_TYPE) for feed_id in FEED_IDS}

        assert run(DAY1, healthy(2)).loaded == dict.fromkeys(FEED_IDS, 2)
        day1 = faultkit.table_rows(paths.warehouse, faultkit.RAW_TABLES, logical_date=DAY1)
        day2 = run(DAY2, {**FAULTS, "control": healthy(3)["control"]})
        pipeline.transform_marts(paths)
        day1_after = faultkit.table_rows(paths.warehouse, faultkit.RAW_TABLES, logical_date=DAY1)
        day3 = run(DAY3, healthy(3))
        yield ContentDays(paths, urls, day2, day3, day1, day1_after)


def test_every_other_feed_loads_beside_the_faults(days: ContentDays) -> None:
    assert days.day2.loaded == {
        "control": 3,
        "malformed": 2,
        "charset": 1,
        "badutf8": 2,
        "nul": 1,
        "enormous": 2,
        "dupguid": 2,
        "dates": 3,
        "bigtitle": 2,
        "script": 2,
    }
    assert sorted(days.day2.failed) == ["empty", "html"]
    assert days.posts("control") == clean_posts("control", 3)


def test_malformed_xml_is_warned_and_what_was_recovered_past_the_break_quarantined(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    assert days.fetch("malformed") == (
        200,
        len(MALFORMED),
        2,
        None,
        "SAXParseException: <unknown>:1:153: not well-formed (invalid token)",
    )
    assert days.query(
        "select warning from raw.fetches where feed_id = 'malformed' and logical_date = ?", [DAY2]
    ) == [
        (
            "not well-formed: 0 entries recovered, 2 past the break at line 1, column 153 "
            "(not well-formed (invalid token)) quarantined",
        )
    ]
    # raw keeps what the lenient parser recovered; the break is in the first item's title
    assert days.entries("malformed") == [("malformed-a", "Fish & chips"), ("malformed-b", "Second")]
    reason = "recovered past the break of a not well-formed payload"
    assert days.quarantined("malformed") == [(0, "malformed-a", reason), (1, "malformed-b", reason)]
    assert days.posts("malformed") == clean_posts("malformed", 2)
    assert days.record(fault_ledger, "malformed", "malformed XML") == (True, 0, 0)


@pytest.mark.parametrize(
    ("feed_id", "reason"),
    [
        # the error names the page's feed link: the fix is to point the feed at it
        (
            "html",
            "SAXParseException: <unknown>:3:143: mismatched tag); it is an HTML page "
            "linking to the feed {base}/feed/: use that URL",
        ),
        ("empty", "no feed elements)"),
    ],
    ids=["html served as a feed", "empty 200 body"],
)
def test_not_a_feed_is_recorded_and_the_published_posts_stay(
    days: ContentDays, fault_ledger: Ledger, feed_id: str, reason: str
) -> None:
    url = days.urls[feed_id]
    base = url.rsplit("/", 1)[0]
    error = f"{url}: not a recognizable RSS/Atom/JSON feed (" + reason.format(base=base)
    assert days.fetch(feed_id) == (200, len(FAULTS[feed_id][0]), None, error, None)
    assert days.entries(feed_id) == []
    assert days.posts(feed_id) == clean_posts(feed_id, 2)
    fault = {"html": "HTML served as a feed", "empty": "empty 200 body"}[feed_id]
    assert days.record(fault_ledger, feed_id, fault) == (True, 0, 0)


def test_wrong_charset_is_read_as_windows_1252_and_noted(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    note = "CharacterEncodingOverride: not valid UTF-8 and no usable charset; read as windows-1252"
    assert days.fetch("charset") == (200, len(FAULTS["charset"][0]), 1, None, note)
    assert days.entries("charset") == [("charset-a", CP1252_TITLE)]
    assert days.posts("charset") == [*clean_posts("charset", 2), ("charset-a", CP1252_TITLE)]
    assert days.record(fault_ledger, "charset", "wrong charset (windows-1252 declared UTF-8)") == (
        True,
        0,
        0,
    )


def test_invalid_utf8_bytes_become_replacement_characters_only(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    # the feed's valid UTF-8 stays readable: only the two bad bytes are replaced
    note = "CharacterEncodingOverride: 2 invalid UTF-8 byte sequences replaced with U+FFFD"
    assert days.fetch("badutf8") == (200, len(FAULTS["badutf8"][0]), 2, None, note)
    expected = [("badutf8-a", "Café “quoted”"), ("badutf8-b", "bad \ufffd\ufffd here")]
    assert days.entries("badutf8") == expected
    assert days.posts("badutf8") == [*clean_posts("badutf8", 2), *expected]
    assert days.record(fault_ledger, "badutf8", "invalid UTF-8 bytes") == (True, 0, 0)


def test_nul_bytes_are_removed_and_noted(days: ContentDays, fault_ledger: Ledger) -> None:
    note = "removed 2 NUL bytes (XML allows none)"
    assert days.fetch("nul") == (200, len(FAULTS["nul"][0]), 1, None, note)
    assert days.query(
        "select guid, title, content from raw.entries where feed_id = 'nul' and logical_date = ?",
        [DAY2],
    ) == [("nul-a", "Nulhere", "<p>ab</p>")]
    assert days.query("select title, content_html from marts.posts where guid = 'nul-a'") == [
        ("Nulhere", "<p>ab</p>")
    ]
    assert days.record(fault_ledger, "nul", "NUL bytes") == (True, 0, 0)


def test_an_enormous_entry_is_kept_in_raw_and_quarantined(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    assert days.fetch("enormous") == (200, len(FAULTS["enormous"][0]), 2, None, None)
    assert days.query(
        "select guid, length(content), content = ? from raw.entries "
        "where feed_id = 'enormous' and logical_date = ? order by entry_index",
        [HUGE_CONTENT, DAY2],
    ) == [("enormous-a", 3_000_007, True), ("enormous-b", None, None)]
    # the marts' limit: content over 2,000,000 characters is a defect
    assert days.quarantined("enormous") == [(0, "enormous-a", "content too long")]
    assert days.posts("enormous") == [*clean_posts("enormous", 2), ("enormous-b", "Small")]
    assert days.record(fault_ledger, "enormous", "one enormous entry (3 MB)") == (True, 0, 0)


def test_duplicate_guids_with_different_content_publish_one_post(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    # raw keeps both listings as sent; dbt keeps the first and quarantines the other
    assert days.query(
        "select entry_index, guid, content from raw.entries "
        "where feed_id = 'dupguid' and logical_date = ? order by entry_index",
        [DAY2],
    ) == [(0, "dupguid-same", "<p>First version</p>"), (1, "dupguid-same", "<p>Second version</p>")]
    assert days.quarantined("dupguid") == [
        (1, "dupguid-same", "duplicate guid with different content")
    ]
    assert days.query("select guid, content_html from marts.posts where guid = 'dupguid-same'") == [
        ("dupguid-same", "<p>First version</p>")
    ]
    assert days.record(fault_ledger, "dupguid", "duplicate guids, different content") == (
        True,
        0,
        0,
    )


def test_dates_in_1900_and_2999_are_stored_and_quarantined(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    assert days.query(
        "select guid, published, published_at from raw.entries "
        "where feed_id = 'dates' and logical_date = ? order by entry_index",
        [DAY2],
    ) == [
        ("dates-1900", "Mon, 01 Jan 1900 12:00:00 +0000", datetime(1900, 1, 1, 12)),
        ("dates-2999", "Tue, 01 Jan 2999 12:00:00 +0000", datetime(2999, 1, 1, 12)),
        ("dates-now", PUBLISHED, datetime(2026, 11, 23, 10)),
    ]
    assert days.quarantined("dates") == [
        (0, "dates-1900", "published date before 1995"),
        (1, "dates-2999", "published date in the future"),
    ]
    assert days.posts("dates") == [*clean_posts("dates", 2), ("dates-now", "Now")]
    assert days.record(fault_ledger, "dates", "dates in 1900 and 2999") == (True, 0, 0)


def test_a_one_megabyte_title_is_kept_in_raw_and_quarantined(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    assert days.query(
        "select guid, length(title) from raw.entries "
        "where feed_id = 'bigtitle' and logical_date = ? order by entry_index",
        [DAY2],
    ) == [("bigtitle-a", 1024 * 1024), ("bigtitle-b", 5)]
    assert days.quarantined("bigtitle") == [(0, "bigtitle-a", "title too long")]
    assert days.posts("bigtitle") == [*clean_posts("bigtitle", 2), ("bigtitle-b", "Short")]
    assert days.record(fault_ledger, "bigtitle", "a 1 MB title") == (True, 0, 0)


def test_scripts_stay_verbatim_in_raw_and_are_sanitized_in_marts(
    days: ContentDays, fault_ledger: Ledger
) -> None:
    assert days.query(
        "select content, link from raw.entries where feed_id = 'script' and logical_date = ? "
        "order by entry_index",
        [DAY2],
    ) == [(HOSTILE_HTML, "https://example.com/script-a/"), (None, "javascript:alert(3)")]
    # a post whose link is not http(s) is served without one
    assert days.query(
        "select guid, url from marts.posts where guid in ('script-a', 'script-b') order by guid"
    ) == [("script-a", "https://example.com/script-a/"), ("script-b", None)]
    assert days.query(
        "select content_html, content_text from marts.posts where guid = 'script-a'"
    ) == [
        (
            '<p>Hello <a rel="noopener noreferrer">click</a> '
            '<a href="https://ok.example/" rel="noopener noreferrer">ok</a></p>'
            '<img src="https://ok.example/a.png">',
            "Hello click ok",
        )
    ]
    assert days.record(fault_ledger, "script", "<script> and javascript: URLs") == (True, 0, 0)


def test_a_feed_of_100k_entries_loads_every_entry_once(
    tmp_path: Path, httpserver: HTTPServer, fault_ledger: Ledger, record_property: Any
) -> None:
    count = 100_000
    paths = data_paths(tmp_path / "data")
    items = "".join(f"<item><guid>many-{n}</guid></item>" for n in range(count))
    payload = rss("many", items).encode()
    feeds = [Feed("many", httpserver.url_for("/many.xml"))]
    policy = FetchPolicy(attempts=1, read_timeout=10, allow_private=True)  # default 20 MB cap
    assert len(payload) < policy.max_body_bytes == MAX_BODY_BYTES
    served = {DAY1: clean("many", 2).encode(), DAY2: payload, DAY3: clean("many", 3).encode()}
    day = DAY1
    httpserver.expect_request("/many.xml").respond_with_handler(
        lambda _request: Response(served[day], content_type=RSS_TYPE)
    )

    def run(on: date) -> LoadSummary:
        nonlocal day
        day = on
        extract_all(feeds, on, paths, policy)
        return pipeline.load_raw(on, paths, ["many"])

    assert run(DAY1).loaded == {"many": 2}
    before = faultkit.table_rows(paths.warehouse, faultkit.RAW_TABLES, logical_date=DAY1)
    started = time.perf_counter()
    assert run(DAY2).loaded == {"many": count}
    record_property("load_100k_seconds", round(time.perf_counter() - started, 2))
    assert run(DAY3).loaded == {"many": 3}

    conn = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        assert conn.execute(
            "select count(*), count(distinct guid), min(entry_index), max(entry_index) "
            "from raw.entries where logical_date = ?",
            [DAY2],
        ).fetchone() == (count, count, 0, count - 1)
        assert conn.execute(
            "select payload_bytes, entry_count, error from raw.fetches where logical_date = ?",
            [DAY2],
        ).fetchone() == (len(payload), count, None)
        recovered = conn.execute(
            "select guid, title from raw.entries where logical_date = ? order by entry_index",
            [DAY3],
        ).fetchall() == clean_posts("many", 3)
    finally:
        conn.close()
    lost, duplicated = faultkit.diff(
        before, faultkit.table_rows(paths.warehouse, faultkit.RAW_TABLES, logical_date=DAY1)
    )
    fault_ledger.record(
        "content: 100k entries in one feed", recovered=recovered, lost=lost, duplicated=duplicated
    )
    assert (recovered, lost, duplicated) == (True, 0, 0)
