"""Extraction under fire: many feeds, misbehaving servers and malformed payloads, on 127.0.0.1.

One run of `extract.extract_all` + `load.load_raw` over a mix of healthy, slow, failing and
malformed feeds must load every healthy feed's every entry exactly once, record every failure
with a clear reason, and a rerun of the same date must change no row count.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.faultserver import FaultServer
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.config import Feed, Paths, data_paths
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.extract.land import read_manifest
from feedwarehouse.load.raw import LoadSummary, load_raw
from feedwarehouse.warehouse import connect
from feedwarehouse_dev.sample import generate_sample

pytestmark = pytest.mark.faults

DAY = date(2026, 11, 23)
NEXT_DAY = date(2026, 11, 24)
CAP = 64 * 1024
POLICY = FetchPolicy(
    attempts=2,
    backoff_base=0,
    connect_timeout=1,
    read_timeout=0.3,
    max_body_bytes=CAP,
    allow_private=True,
    max_workers=8,
    per_host=4,
)


def rss(title: str, items: list[tuple[str | None, str, str | None]], *, head: bool = True) -> str:
    """RSS 2.0 with (guid, title, pubDate) items; a None guid or date is left out."""
    body = "".join(
        "<item>"
        + (f"<guid isPermaLink='false'>{guid}</guid>" if guid else "")
        + f"<title>{item_title}</title><link>/posts/{i}/</link>"
        + (f"<pubDate>{published}</pubDate>" if published else "")
        + "</item>"
        for i, (guid, item_title, published) in enumerate(items)
    )
    declaration = '<?xml version="1.0" encoding="UTF-8"?>' if head else ""
    return (
        f'{declaration}<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://{title.lower()}.example.com/</link>{body}</channel></rss>"
    )


DATE = "Mon, 23 Nov 2026 10:00:00 +0000"
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atomic</title>
<link href="https://atomic.example.org/"/><id>urn:atomic</id><updated>2026-11-23T08:00:00Z</updated>
<entry><title>Atom one</title><id>urn:atomic:1</id><link href="/1"/>
<updated>2026-11-23T08:00:00Z</updated></entry>
<entry><title>Atom two</title><id>urn:atomic:2</id><link href="/2"/>
<updated>2026-11-22T08:00:00Z</updated></entry></feed>"""
RSS_10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://rdf.example.net/"><title>RDF</title><link>https://rdf.example.net/</link>
<description>d</description></channel>
<item rdf:about="https://rdf.example.net/a"><title>RDF a</title><link>https://rdf.example.net/a</link></item>
<item rdf:about="https://rdf.example.net/b"><title>RDF b</title><link>https://rdf.example.net/b</link></item>
</rdf:RDF>"""
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    '<rss version="2.0"><channel><title>&b;</title><item><title>&b;</title></item></channel></rss>'
)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Setup:
    def __init__(self, server: HTTPServer, raw: FaultServer, tmp: Path) -> None:
        self.paths: Paths = data_paths(tmp / "data")
        sample = generate_sample(tmp / "sample", feeds=2, items=4, seed=3)
        self.healthy_items = {(i.guid, i.title) for i in sample.feeds[0].items}
        self.moved_items = {(i.guid, i.title) for i in sample.feeds[1].items}
        self.calls: dict[str, int] = {}
        url = server.url_for
        feeds: dict[str, str] = {}

        def route(feed_id: str, path: str, **kwargs: object) -> None:
            feeds[feed_id] = url(path)
            server.expect_request(path).respond_with_data(**kwargs)  # type: ignore[arg-type]

        route("healthy", "/healthy", response_data=sample.feeds[0].path.read_bytes())
        feeds["moved"] = url("/moved")
        server.expect_request("/moved").respond_with_data(
            "", status=301, headers={"Location": "/new-home"}
        )
        server.expect_request("/new-home").respond_with_data(sample.feeds[1].path.read_bytes())
        feeds["conditional"] = url("/conditional")
        server.expect_request("/conditional").respond_with_handler(self._conditional)
        feeds["throttled"] = url("/throttled")
        server.expect_request("/throttled").respond_with_handler(self._throttled)
        route("missing", "/missing", response_data="no such feed", status=404)
        route("gone", "/gone", response_data="gone", status=410)
        route("erroring", "/erroring", response_data="boom", status=500)
        route("unavailable", "/unavailable", response_data="later", status=503)
        feeds["slow"] = url("/slow")
        server.expect_request("/slow").respond_with_handler(self._slow)
        feeds["reset"] = raw.url("/reset")
        raw.reset_before_response("/reset")
        feeds["truncated"] = raw.url("/truncated")
        raw.truncated("/truncated", sample.feeds[0].path.read_bytes()[:300], missing=5000)
        route(
            "badgzip", "/badgzip", response_data=b"not gzip", headers={"Content-Encoding": "gzip"}
        )
        route("oversize", "/oversize", response_data=b"<rss>" + b"x" * CAP + b"</rss>")
        route(
            "wrongcharset",
            "/wrongcharset",
            response_data=rss("Wrong", [("w1", "Grüße “quoted”", DATE)], head=False).encode(),
            content_type="application/rss+xml; charset=ISO-8859-1",
        )
        route(
            "nocharset",
            "/nocharset",
            response_data=rss("Latin", [("l1", "Café crème", DATE)], head=False).encode("latin-1"),
            content_type="text/xml",
        )
        route("atom", "/atom", response_data=ATOM.encode(), content_type="application/atom+xml")
        route("rdf", "/rdf", response_data=RSS_10.encode())
        dup = rss("Dup", [("same", "First copy", DATE), ("same", "Second copy", DATE)])
        route("dupguids", "/dupguids", response_data=dup.encode())
        undated = rss("Undated", [("u1", "No date", None), (None, "No guid, no date", None)])
        route("undated", "/undated", response_data=undated.encode())
        route("notafeed", "/notafeed", response_data=b"<html><body>Maintenance</body></html>")
        route("bomb", "/bomb", response_data=BOMB.encode())
        self.urls = feeds
        self.feeds = [Feed(feed_id, feed_url) for feed_id, feed_url in feeds.items()]

    def _count(self, name: str) -> int:
        self.calls[name] = self.calls.get(name, 0) + 1
        return self.calls[name]

    def _conditional(self, request: Request) -> Response:
        self._count("conditional")
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        body = rss("Cond", [("c1", "Conditional one", DATE), ("c2", "Conditional two", DATE)])
        return Response(body, headers={"ETag": '"v1"'}, content_type="application/rss+xml")

    def _throttled(self, _request: Request) -> Response:
        if self._count("throttled") == 1:
            return Response("slow down", status=429, headers={"Retry-After": "2"})
        return Response(rss("Throttled", [("t1", "After the wait", DATE)]))

    def _slow(self, _request: Request) -> Response:
        self._count("slow")
        time.sleep(0.8)
        return Response(rss("Slow", [("s1", "Too late", DATE)]))


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    raw = FaultServer()
    with HTTPServer(host="127.0.0.1", threaded=True) as server:
        yield Setup(server, raw, tmp_path_factory.mktemp("faults"))
    raw.close()


@pytest.fixture(scope="module")
def conn(setup: Setup) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(setup.paths.warehouse)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def first_run(setup: Setup, conn: duckdb.DuckDBPyConnection) -> tuple[LoadSummary, Sleeps, float]:
    sleeps = Sleeps()
    started = time.monotonic()
    manifests = extract_all(setup.feeds, DAY, setup.paths, POLICY, sleep=sleeps)
    elapsed = time.monotonic() - started
    return load_raw(conn, setup.paths, manifests), sleeps, elapsed


def entries(conn: duckdb.DuckDBPyConnection, feed_id: str, day: date = DAY) -> list[tuple]:
    return conn.execute(
        "select guid, title from raw.entries where feed_id = ? and logical_date = ? "
        "order by entry_index",
        [feed_id, day],
    ).fetchall()


def errors(conn: duckdb.DuckDBPyConnection, day: date = DAY) -> dict[str, str]:
    rows = conn.execute(
        "select feed_id, error from raw.fetches where logical_date = ? and error is not null",
        [day],
    ).fetchall()
    return dict(rows)


def test_every_healthy_feed_loads_every_entry_once(
    setup: Setup, conn: duckdb.DuckDBPyConnection, first_run: tuple[LoadSummary, Sleeps, float]
) -> None:
    summary, _, _ = first_run
    assert summary.loaded == {
        "atom": 2,
        "conditional": 2,
        "dupguids": 2,
        "healthy": 4,
        "moved": 4,
        "nocharset": 1,
        "rdf": 2,
        "throttled": 1,
        "undated": 2,
        "wrongcharset": 1,
    }
    assert sorted(entries(conn, "healthy")) == sorted(setup.healthy_items)
    assert sorted(entries(conn, "moved")) == sorted(setup.moved_items)
    assert entries(conn, "conditional") == [("c1", "Conditional one"), ("c2", "Conditional two")]
    assert entries(conn, "throttled") == [("t1", "After the wait")]
    assert entries(conn, "wrongcharset") == [("w1", "Grüße “quoted”")]
    assert entries(conn, "nocharset") == [("l1", "Café crème")]
    assert entries(conn, "atom") == [("urn:atomic:1", "Atom one"), ("urn:atomic:2", "Atom two")]
    assert entries(conn, "rdf") == [
        ("https://rdf.example.net/a", "RDF a"),
        ("https://rdf.example.net/b", "RDF b"),
    ]
    # duplicates inside one payload are all kept in raw; dbt decides which one wins
    assert entries(conn, "dupguids") == [("same", "First copy"), ("same", "Second copy")]
    assert entries(conn, "undated") == [("u1", "No date"), (None, "No guid, no date")]
    assert conn.execute(
        "select published_at is null, link from raw.entries where feed_id = 'undated' "
        "order by entry_index"
    ).fetchall() == [
        (True, "https://undated.example.com/posts/0/"),
        (True, "https://undated.example.com/posts/1/"),
    ]
    assert conn.execute(
        "select link from raw.entries where feed_id = 'atom' order by entry_index"
    ).fetchall() == [("https://atomic.example.org/1",), ("https://atomic.example.org/2",)]


def test_every_failure_is_recorded_with_a_clear_reason(
    setup: Setup, conn: duckdb.DuckDBPyConnection, first_run: tuple[LoadSummary, Sleeps, float]
) -> None:
    summary, sleeps, _ = first_run
    url = setup.urls
    recorded = errors(conn)
    assert recorded == summary.failed
    assert set(recorded) == {
        "missing",
        "gone",
        "erroring",
        "unavailable",
        "slow",
        "reset",
        "truncated",
        "badgzip",
        "oversize",
        "notafeed",
        "bomb",
    }
    client_error = "not retried (client error); check the feed URL"
    assert recorded["missing"] == f"HTTP 404 Not Found from {url['missing']}: {client_error}"
    assert recorded["gone"] == f"HTTP 410 Gone from {url['gone']}: {client_error}"
    gave_up = "(gave up after 2 attempts)"
    assert recorded["erroring"] == f"HTTP 500 from {url['erroring']} {gave_up}"
    assert recorded["unavailable"] == f"HTTP 503 from {url['unavailable']} {gave_up}"
    assert recorded["slow"] == f"timed out fetching {url['slow']} (ReadTimeout) {gave_up}"
    assert re.fullmatch(
        rf"(ReadError|RemoteProtocolError) fetching {re.escape(url['reset'])}: .+ "
        + re.escape(gave_up),
        recorded["reset"],
    )
    assert re.fullmatch(
        rf"RemoteProtocolError fetching {re.escape(url['truncated'])}: peer closed connection "
        r"without sending complete message body \(received 300 bytes, expected 5300\) "
        + re.escape(gave_up),
        recorded["truncated"],
    )
    assert recorded["badgzip"].startswith(
        f"body of {url['badgzip']} could not be decoded (Content-Encoding gzip): "
    )
    assert recorded["oversize"] == f"body of {url['oversize']} exceeds the {CAP}-byte cap"
    assert recorded["notafeed"] == (
        f"{url['notafeed']}: not a recognizable RSS/Atom/JSON feed (no feed elements)"
    )
    assert recorded["bomb"].startswith(
        f"{url['bomb']}: refused: the DOCTYPE declares an XML entity (<!ENTITY a "
    )
    assert conn.execute(
        "select count(*) from raw.entries where feed_id in (select feed_id from raw.fetches "
        "where error is not null)"
    ).fetchone() == (0,)
    assert 2.0 in sleeps  # Retry-After honoured, through the injected sleep
    # no charset anywhere: feedparser's windows-1252 fallback, and the raw layer says so
    assert conn.execute(
        "select http_status, bozo_reason from raw.fetches where feed_id = 'nocharset'"
    ).fetchone() == (
        200,
        "CharacterEncodingOverride: not valid utf-8 and no usable charset; read as windows-1252",
    )


def test_the_run_stays_fast(first_run: tuple[LoadSummary, Sleeps, float]) -> None:
    # timeouts bound the slow feed, retries sleep through the injected sleep, never for real
    _, _, elapsed = first_run
    assert elapsed < 10


def test_rerun_of_the_same_date_changes_no_row_count(
    setup: Setup, conn: duckdb.DuckDBPyConnection, first_run: tuple[LoadSummary, Sleeps, float]
) -> None:
    counts = "select (select count(*) from raw.fetches), (select count(*) from raw.entries)"
    before = conn.execute(counts).fetchone()
    entries_before = conn.execute("select * from raw.entries order by all").fetchall()
    calls = dict(setup.calls)
    manifests = extract_all(setup.feeds, DAY, setup.paths, POLICY, sleep=Sleeps())
    summary = load_raw(conn, setup.paths, manifests)
    assert summary.loaded == first_run[0].loaded
    assert set(summary.failed) == set(first_run[0].failed)
    assert conn.execute(counts).fetchone() == before == (21, 21)
    assert conn.execute("select * from raw.entries order by all").fetchall() == entries_before
    # landed feeds are not fetched again; only failed ones are retried
    assert setup.calls["conditional"] == calls["conditional"]
    assert setup.calls["throttled"] == calls["throttled"]
    assert setup.calls["slow"] > calls["slow"]


def test_next_day_unchanged_feeds_cost_no_entries(
    setup: Setup, conn: duckdb.DuckDBPyConnection, first_run: tuple[LoadSummary, Sleeps, float]
) -> None:
    manifests = extract_all(setup.feeds, NEXT_DAY, setup.paths, POLICY, sleep=Sleeps())
    conditional = read_manifest(manifests[[f.id for f in setup.feeds].index("conditional")])
    assert (conditional.http_status, conditional.is_unchanged) == (304, True)
    summary = load_raw(conn, setup.paths, manifests)
    assert sorted(summary.unchanged) == sorted(first_run[0].loaded)
    assert conn.execute(
        "select count(*) from raw.entries where logical_date = ?", [NEXT_DAY]
    ).fetchone() == (0,)
    assert conn.execute(
        "select http_status, entry_count, is_unchanged, feed_title, error from raw.fetches "
        "where feed_id = 'conditional' order by logical_date"
    ).fetchall() == [(200, 2, False, "Cond", None), (304, 0, True, "Cond", None)]
    assert set(errors(conn, NEXT_DAY)) == set(first_run[0].failed)
