"""Hostile XML served as feeds: refused before any parser expands or fetches anything (an
external DTD is no attack on its own: never fetched, the feed loads without it).

One warehouse, three days: day 1 every feed is healthy; day 2 each hostile feed serves its
attack (the control feed stays healthy), loaded under tracemalloc; day 3 the feeds are clean
again. Recovery is the next day's fetch loading the clean feed exactly once (a rerun of day 2
would fetch a refused payload again, see tests/unit/test_load.py).

No timing assertions: an expansion is ruled out by the refusal coming from the entity guard
(which runs before feedparser) and by the memory the day-2 load allocated. A quadratic blowup
let through would allocate 40 MB for its expansion alone; the file read is watched with an
audit hook on open(), the DTD fetch on the test server's request log.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
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
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.load.raw import LoadSummary
from feedwarehouse.orchestration import steps as pipeline

pytestmark = pytest.mark.faults

DAY1, DAY2, DAY3 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
POLICY = FetchPolicy(attempts=1, connect_timeout=2, read_timeout=5, allow_private=True)
PEAK_LIMIT = 16 * 1024 * 1024  # bytes traced while loading every day-2 feed
SECRET_MARKER = "SECRET-MARKER-8c1d5e0f"  # noqa: S105 - planted
REFUSED = "; entity expansion and external entities are unsafe and never needed by a feed"
BIG = "a" * 20_000  # referenced 2,000 times: 40 MB if expanded
ITEMS = "<item><guid>attack</guid><title>t</title><description>{}</description></item>"
QUADRATIC_REFS = ITEMS.format("&big;" * 2_000)


def clean_feed(feed_id: str, posts: int) -> bytes:
    items = "".join(
        f"<item><guid isPermaLink='false'>{feed_id}-{n}</guid><title>{feed_id} post {n}</title>"
        "<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate></item>"
        for n in range(1, posts + 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{feed_id}'
        f"</title><link>https://{feed_id}.example.com/</link>{items}</channel></rss>"
    ).encode()


def hostile(doctype: str, items: str, *, encoding: str = "utf-8") -> bytes:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    return (
        f'{declaration}{doctype}\n<rss version="2.0"><channel><title>Hostile</title>'
        f"<link>https://hostile.example.com/</link>{items}</channel></rss>"
    ).encode(encoding)


LAUGHS = "".join(
    f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 or "")) * 10}">' for n in range(1, 10)
)  # lol1 is ten &lol;, lol2 ten &lol1; ... lol9 is 10**9 "lol"
BILLION_LAUGHS = hostile(f'<!DOCTYPE rss [<!ENTITY lol "lol">{LAUGHS}]>', ITEMS.format("&lol9;"))
QUADRATIC = {
    "plain": hostile(f'<!DOCTYPE rss [<!ENTITY big "{BIG}">]>', QUADRATIC_REFS),
    # feedparser's DOCTYPE rewrite revives a declaration it finds on a line of its own, even
    # in a comment or between processing instructions that a naive scan skips
    "in a comment": hostile(
        f'<!DOCTYPE rss [\n<!--\n<!ENTITY big "{BIG}">\n-->\n]>', QUADRATIC_REFS
    ),
    "between processing instructions": hostile(
        f'<!DOCTYPE rss [\n<?pi <![CDATA[ ?>\n<!ENTITY big "{BIG}">\n<?pi ]]> ?>\n]>',
        QUADRATIC_REFS,
    ),
    "in UTF-32": hostile(
        f'<!DOCTYPE rss [\n<!ENTITY big "{BIG}">\n]>', QUADRATIC_REFS, encoding="utf-32"
    ),
}


def refused(url: str, declaration: str) -> str:
    return f"{url}: refused: the DOCTYPE declares an XML entity ({declaration[:80]}){REFUSED}"


_OPENED: list[str] | None = None


def _watch_opens(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _OPENED is not None and not isinstance(args[0], int):
        _OPENED.append(str(args[0]))


sys.addaudithook(_watch_opens)  # audit hooks cannot be removed: it records only when asked


@dataclass
class HostileDay:
    paths: Paths
    urls: dict[str, str]
    secret: Path
    day2: LoadSummary
    peak: int
    opened: list[str]
    requests: Counter[str]
    day1: faultkit.Rows
    day1_after: faultkit.Rows
    day3: LoadSummary

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        conn = duckdb.connect(str(self.paths.warehouse), read_only=True)
        try:
            return conn.execute(sql, params or []).fetchall()
        finally:
            conn.close()

    def fetch(self, feed_id: str, day: date = DAY2) -> tuple[Any, ...]:
        [row] = self.query(
            "select http_status, entry_count, error from raw.fetches "
            "where feed_id = ? and logical_date = ?",
            [feed_id, day],
        )
        return row

    def entries(self, feed_id: str, day: date) -> list[tuple[Any, ...]]:
        return self.query(
            "select guid, title from raw.entries where feed_id = ? and logical_date = ? "
            "order by entry_index",
            [feed_id, day],
        )

    def record(self, ledger: Ledger, feed_id: str, fault: str) -> tuple[bool, int, int]:
        """(recovered, lost, duplicated) of one feed: day 3 clean, day 1 untouched."""
        recovered = self.day3.loaded.get(feed_id) == 3 and self.entries(feed_id, DAY3) == [
            (f"{feed_id}-{n}", f"{feed_id} post {n}") for n in (1, 2, 3)
        ]
        return faultkit.record_feed_fault(
            ledger,
            f"hostile xml: {fault}",
            feed_id,
            self.day1,
            self.day1_after,
            recovered=recovered,
        )


@pytest.fixture(scope="module")
def hostile_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileDay]:
    global _OPENED
    root = tmp_path_factory.mktemp("hostile")
    secret = root / "secret.xml"  # a feed, so that reading it would load it
    secret.write_bytes(clean_feed(SECRET_MARKER.lower(), 1))
    paths = data_paths(root / "data")
    served: dict[str, bytes] = {}
    requests: Counter[str] = Counter()

    def respond(request: Request) -> Response:
        requests[request.path] += 1
        return Response(served[request.path], content_type="application/rss+xml")

    with HTTPServer(host="127.0.0.1", threaded=True) as server:
        server.expect_request("/evil.dtd").respond_with_handler(respond)
        served["/evil.dtd"] = f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">'.encode()
        attacks = {
            "laughs": BILLION_LAUGHS,
            **{f"quadratic-{n}": payload for n, payload in enumerate(QUADRATIC.values())},
            "xxe-file": hostile(
                f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>',
                ITEMS.format("&xxe;"),
            ),
            # feedparser reads a bytes argument that names a file: "/dev/zero" never ends
            "local-path": str(secret).encode(),
            "external-dtd": hostile(
                f'<!DOCTYPE rss SYSTEM "{server.url_for("/evil.dtd")}">',
                ITEMS.format("&xxe;").replace("<title>t</title>", "<title>&xxe; here</title>"),
            ),
        }
        feed_ids = ["control", *attacks]
        urls = {feed_id: server.url_for(f"/{feed_id}.xml") for feed_id in feed_ids}
        for feed_id in feed_ids:
            server.expect_request(f"/{feed_id}.xml").respond_with_handler(respond)
        feeds = [Feed(feed_id, url) for feed_id, url in urls.items()]

        def run(day: date, bodies: dict[str, bytes]) -> LoadSummary:
            served.update({f"/{feed_id}.xml": body for feed_id, body in bodies.items()})
            extract_all(feeds, day, paths, POLICY)
            return pipeline.load_raw(day, paths, feed_ids)

        day1 = run(DAY1, {feed_id: clean_feed(feed_id, 2) for feed_id in feed_ids})
        assert day1.loaded == dict.fromkeys(feed_ids, 2)
        before = faultkit.table_rows(paths.warehouse, faultkit.RAW_TABLES, logical_date=DAY1)

        served.update({f"/{feed_id}.xml": body for feed_id, body in attacks.items()})
        served["/control.xml"] = clean_feed("control", 3)
        extract_all(feeds, DAY2, paths, POLICY)
        _OPENED = []
        tracemalloc.start()
        try:
            day2 = pipeline.load_raw(DAY2, paths, feed_ids)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            opened, _OPENED = _OPENED, None
        after = faultkit.table_rows(paths.warehouse, faultkit.RAW_TABLES, logical_date=DAY1)

        day3 = run(DAY3, {feed_id: clean_feed(feed_id, 3) for feed_id in feed_ids})
        yield HostileDay(paths, urls, secret, day2, peak, opened, requests, before, after, day3)


def assert_refused(day: HostileDay, feed_id: str, error: str) -> None:
    assert day.day2.failed[feed_id] == error
    assert day.fetch(feed_id) == (200, None, error)
    assert day.entries(feed_id, DAY2) == []
    assert day.peak < PEAK_LIMIT, f"{day.peak} bytes traced"


def test_control_feed_loads_beside_the_attacks(hostile_day: HostileDay) -> None:
    assert hostile_day.day2.loaded == {"control": 3, "external-dtd": 1}
    assert sorted(hostile_day.day2.failed) == [
        "laughs",
        "local-path",
        "quadratic-0",
        "quadratic-1",
        "quadratic-2",
        "quadratic-3",
        "xxe-file",
    ]


def test_billion_laughs_is_refused(hostile_day: HostileDay, fault_ledger: Ledger) -> None:
    assert_refused(
        hostile_day, "laughs", refused(hostile_day.urls["laughs"], '<!ENTITY lol "lol">')
    )
    assert hostile_day.record(fault_ledger, "laughs", "billion laughs") == (True, 0, 0)


@pytest.mark.parametrize("variant", list(QUADRATIC), ids=list(QUADRATIC))
def test_quadratic_blowup_is_refused(
    hostile_day: HostileDay, fault_ledger: Ledger, variant: str
) -> None:
    feed_id = f"quadratic-{list(QUADRATIC).index(variant)}"
    error = refused(hostile_day.urls[feed_id], f'<!ENTITY big "{BIG}">')
    assert_refused(hostile_day, feed_id, error)
    fault = f"quadratic blowup ({variant})"
    assert hostile_day.record(fault_ledger, feed_id, fault) == (True, 0, 0)


def test_external_entity_never_reads_the_file(
    hostile_day: HostileDay, fault_ledger: Ledger
) -> None:
    url = hostile_day.urls["xxe-file"]
    declaration = f'<!ENTITY xxe SYSTEM "{hostile_day.secret.as_uri()}">'
    assert_refused(hostile_day, "xxe-file", refused(url, declaration))
    assert [path for path in hostile_day.opened if "secret" in path] == []
    assert_marker_nowhere(hostile_day)
    assert hostile_day.record(fault_ledger, "xxe-file", "external entity (local file)") == (
        True,
        0,
        0,
    )


def test_a_body_naming_a_local_file_is_not_read(
    hostile_day: HostileDay, fault_ledger: Ledger
) -> None:
    url = hostile_day.urls["local-path"]
    error = (
        f"{url}: not a recognizable RSS/Atom/JSON feed "
        "(SAXParseException: <unknown>:2:0: not well-formed (invalid token))"
    )
    assert_refused(hostile_day, "local-path", error)
    assert [path for path in hostile_day.opened if "secret" in path] == []
    assert_marker_nowhere(hostile_day)
    fault = "body naming a local file"
    assert hostile_day.record(fault_ledger, "local-path", fault) == (True, 0, 0)


def test_external_dtd_is_never_fetched_and_the_feed_loads_without_it(
    hostile_day: HostileDay, fault_ledger: Ledger
) -> None:
    """Issue 23: a DOCTYPE naming an external DTD is no reason to refuse a feed. The DTD is
    never requested, so the entity it would declare stays undefined: its reference is text."""
    assert hostile_day.fetch("external-dtd") == (200, 1, None)
    assert hostile_day.entries("external-dtd", DAY2) == [("attack", "&xxe; here")]
    assert hostile_day.requests["/evil.dtd"] == 0
    assert [path for path in hostile_day.opened if "secret" in path] == []
    assert_marker_nowhere(hostile_day)
    assert hostile_day.record(fault_ledger, "external-dtd", "external DTD (http)") == (
        True,
        0,
        0,
    )


def assert_marker_nowhere(day: HostileDay) -> None:
    """The secret is in no table of the warehouse and in no file of the landing zone."""
    tables = day.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_type = 'BASE TABLE'"
    )
    for (table,) in tables:
        assert day.query(
            f"select count(*) from {table} as r where contains(lower(r::varchar), ?)",
            [SECRET_MARKER.lower()],
        ) == [(0,)], table
    landed = [path for path in day.paths.landing_dir.rglob("*") if path.is_file()]
    assert landed
    assert [path for path in landed if SECRET_MARKER.encode() in path.read_bytes()] == []
