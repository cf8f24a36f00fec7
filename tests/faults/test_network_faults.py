"""Network faults on 127.0.0.1, each on a warehouse of its own: a good day, the fault, the fix.

Every test loads day 1 with both feeds healthy, injects the fault into one feed on day 2 (the
other feed must still load), checks the exact error recorded in raw.fetches, then fixes the
server and reruns day 2: the feed must load its entries exactly once and day 1's raw rows must
be exactly as they were.

Already covered by tests/faults/test_extraction_faults.py and not repeated here: a reset before
any response (`reset`), a body cut short by the server closing (`truncated`), one 429 and then
success (`throttled`), a 503 and a 500 on every attempt (`unavailable`, `erroring`), a slow
answer (`slow`), a corrupt gzip body (`badgzip`), a body over the cap (`oversize`), and a
single redirect (`moved`). A plain self-redirect is in tests/unit/test_fetch.py.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import faultkit
from helpers.faultkit import Ledger
from helpers.faultserver import FaultServer
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.config import Feed, data_paths
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.extract.http_get import MAX_REDIRECTS
from feedwarehouse.load.raw import LoadSummary
from feedwarehouse.orchestration import steps as pipeline

pytestmark = pytest.mark.faults

DAY1, DAY2 = date(2026, 11, 23), date(2026, 11, 24)
PUBLISHED = "Mon, 23 Nov 2026 10:00:00 +0000"
CAP = 64 * 1024
POLICY = FetchPolicy(
    attempts=2,
    backoff_base=0,
    connect_timeout=1,
    read_timeout=0.3,
    attempt_timeout=0.5,
    max_body_bytes=CAP,
    allow_private=True,
    max_workers=4,
    per_host=4,
)
# storms: enough attempts to see Retry-After honoured between each, capped by backoff_max
STORM_POLICY = replace(POLICY, attempts=4, backoff_max=30.0)
GAVE_UP = f"(gave up after {POLICY.attempts} attempts)"
UNRESOLVABLE = "feed.nowhere.invalid"  # RFC 6761: never resolves, even if a lookup leaked


def feed_xml(feed_id: str, posts: int) -> bytes:
    """A small RSS 2.0 feed of `posts` posts, guids `<feed_id>-<n>`."""
    items = "".join(
        f"<item><guid isPermaLink='false'>{feed_id}-{n}</guid><title>{feed_id} post {n}</title>"
        f"<link>https://{feed_id}.example.com/{n}/</link><pubDate>{PUBLISHED}</pubDate>"
        f"<description>Post {n} of {feed_id}, long enough to arrive in pieces. {'x' * 200}"
        "</description></item>"
        for n in range(1, posts + 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{feed_id}'
        f"</title><link>https://{feed_id}.example.com/</link>{items}</channel></rss>"
    ).encode()


def posts(feed_id: str, count: int) -> list[tuple[str, str]]:
    return [(f"{feed_id}-{n}", f"{feed_id} post {n}") for n in range(1, count + 1)]


class Sleeps(list[float]):
    """The injected `sleep` of extract_all: records each delay instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


Handler = Callable[[Request], Response]


class Routes:
    """pytest-httpserver answering each path with whichever handler the test set last."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.handlers: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()

    def set(self, path: str, handler: Handler) -> None:
        if path not in self.handlers:
            self.server.expect_request(path).respond_with_handler(partial(self._dispatch, path))
        self.handlers[path] = handler

    def feed(self, path: str, body: bytes) -> None:
        self.set(path, lambda _request: Response(body, content_type="application/rss+xml"))

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def _dispatch(self, path: str, request: Request) -> Response:
        self.hits[path] += 1
        return self.handlers[path](request)


class Scenario:
    """Two feeds, "healthy" and "faulty", on a warehouse of their own, day by day."""

    def __init__(
        self,
        tmp: Path,
        routes: Routes,
        faulty_url: str,
        serve_faulty: Callable[[bytes], None],
        policy: FetchPolicy = POLICY,
    ) -> None:
        self.paths = data_paths(tmp / "data")
        self.routes = routes
        self.faulty_url = faulty_url
        self.serve_faulty = serve_faulty
        self.policy = policy
        self.feeds = [Feed("healthy", routes.url("/healthy")), Feed("faulty", faulty_url)]
        self.sleeps = Sleeps()
        self.day1: faultkit.Rows = {}

    def good_day(self) -> None:
        """Day 1, both feeds healthy; its raw rows are what every later step must keep."""
        self.routes.feed("/healthy", feed_xml("healthy", 2))
        self.serve_faulty(feed_xml("faulty", 2))
        assert self.run(DAY1).loaded == {"healthy": 2, "faulty": 2}
        self.day1 = self.day1_rows()
        self.routes.feed("/healthy", feed_xml("healthy", 3))
        self.sleeps.clear()

    def run(self, day: date) -> LoadSummary:
        extract_all(self.feeds, day, self.paths, self.policy, sleep=self.sleeps)
        return pipeline.load_raw(day, self.paths, [feed.id for feed in self.feeds])

    def fixed_rerun(self) -> LoadSummary:
        """The server works again and day 2 is rerun."""
        self.serve_faulty(feed_xml("faulty", 3))
        return self.run(DAY2)

    def day1_rows(self) -> faultkit.Rows:
        return faultkit.table_rows(self.paths.warehouse, faultkit.RAW_TABLES, logical_date=DAY1)

    def query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        conn = duckdb.connect(str(self.paths.warehouse), read_only=True)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def entries(self, feed_id: str, day: date = DAY2) -> list[tuple[str, str]]:
        return self.query(
            "select guid, title from raw.entries where feed_id = ? and logical_date = ? "
            "order by entry_index",
            [feed_id, day],
        )

    def fetch(self, feed_id: str = "faulty", day: date = DAY2) -> tuple[Any, ...]:
        [row] = self.query(
            "select http_status, entry_count, payload_sha256 is null, error from raw.fetches "
            "where feed_id = ? and logical_date = ?",
            [feed_id, day],
        )
        return row

    def record(self, ledger: Ledger, fault: str) -> tuple[bool, int, int]:
        """Rerun day 2 with the server fixed; record and return (recovered, lost, duplicated)."""
        summary = self.fixed_rerun()
        recovered = (
            summary.loaded == {"healthy": 3, "faulty": 3}
            and self.entries("faulty") == posts("faulty", 3)
            and self.entries("healthy") == posts("healthy", 3)
        )
        lost, duplicated = faultkit.diff(self.day1, self.day1_rows())
        ledger.record(f"network: {fault}", recovered=recovered, lost=lost, duplicated=duplicated)
        return recovered, lost, duplicated


@pytest.fixture
def routes(httpserver: HTTPServer) -> Routes:
    return Routes(httpserver)


@pytest.fixture
def raw() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


def assert_only_faulty_failed(run: Scenario, summary: LoadSummary, error: str) -> None:
    assert summary.loaded == {"healthy": 3}
    assert summary.failed == {"faulty": error}
    assert run.fetch() == (None, None, True, error)
    assert run.entries("faulty") == []
    assert run.entries("healthy") == posts("healthy", 3)


def test_hanging_server_times_out_on_every_attempt(
    routes: Routes, raw: FaultServer, tmp_path: Path, fault_ledger: Ledger
) -> None:
    url = raw.url("/faulty")
    run = Scenario(tmp_path, routes, url, partial(raw.feed, "/faulty"))
    run.good_day()
    raw.hang("/faulty")
    hits = raw.hits["/faulty"]

    summary = run.run(DAY2)

    assert_only_faulty_failed(run, summary, f"timed out fetching {url} (ReadTimeout) {GAVE_UP}")
    assert raw.hits["/faulty"] - hits == POLICY.attempts
    assert run.record(fault_ledger, "hanging server (accepts, never answers)") == (True, 0, 0)


def test_connection_reset_mid_body(
    routes: Routes, raw: FaultServer, tmp_path: Path, fault_ledger: Ledger
) -> None:
    url = raw.url("/faulty")
    run = Scenario(tmp_path, routes, url, partial(raw.feed, "/faulty"))
    run.good_day()
    body = feed_xml("faulty", 3)
    raw.reset_mid_body("/faulty", body, len(body) // 2)

    summary = run.run(DAY2)

    assert raw.body_bytes_delivered == len(body) // 2 > 0
    error = f"ReadError fetching {url}: [Errno 104] Connection reset by peer {GAVE_UP}"
    assert_only_faulty_failed(run, summary, error)
    assert run.record(fault_ledger, "connection reset mid-body") == (True, 0, 0)


def test_endless_body_is_stopped_by_the_size_cap(
    routes: Routes, raw: FaultServer, tmp_path: Path, fault_ledger: Ledger
) -> None:
    url = raw.url("/faulty")
    run = Scenario(tmp_path, routes, url, partial(raw.feed, "/faulty"))
    run.good_day()
    raw.endless("/faulty")
    hits = raw.hits["/faulty"]

    summary = run.run(DAY2)

    # refused, not retried: the same server would stream forever again
    assert_only_faulty_failed(run, summary, f"body of {url} exceeds the {CAP}-byte cap")
    assert raw.hits["/faulty"] - hits == 1
    assert raw.hung_up.wait(10), "the client never hung up on the endless stream"
    assert run.record(fault_ledger, "endless body (fast)") == (True, 0, 0)


def test_endless_trickle_is_stopped_by_the_attempt_timeout(
    routes: Routes, raw: FaultServer, tmp_path: Path, fault_ledger: Ledger
) -> None:
    url = raw.url("/faulty")
    run = Scenario(tmp_path, routes, url, partial(raw.feed, "/faulty"))
    run.good_day()
    # a byte every 20 ms never trips the 0.3 s read timeout, nor fills the cap for an hour
    raw.endless("/faulty", pause=0.02)
    hits = raw.hits["/faulty"]

    summary = run.run(DAY2)

    error = (
        f"timed out fetching {url} (body still arriving after the "
        f"{POLICY.attempt_timeout:g} s attempt_timeout) {GAVE_UP}"
    )
    assert_only_faulty_failed(run, summary, error)
    assert raw.hits["/faulty"] - hits == POLICY.attempts
    assert run.record(fault_ledger, "endless body (trickle)") == (True, 0, 0)


def test_redirect_loop_names_the_loop(routes: Routes, tmp_path: Path, fault_ledger: Ledger) -> None:
    url, other = routes.url("/faulty"), routes.url("/elsewhere")
    run = Scenario(tmp_path, routes, url, partial(routes.feed, "/faulty"))
    run.good_day()
    routes.set("/faulty", lambda _r: Response(status=302, headers={"Location": "/elsewhere"}))
    routes.set("/elsewhere", lambda _r: Response(status=302, headers={"Location": "/faulty"}))
    hits = routes.hits.copy()

    summary = run.run(DAY2)

    error = (
        f"more than {MAX_REDIRECTS} redirects fetching {url}: "
        f"redirect loop {url} -> {other} -> {url}"
    )
    assert_only_faulty_failed(run, summary, error)
    # one attempt of MAX_REDIRECTS + 1 requests: a loop is not retried
    assert routes.hits - hits == Counter({"/faulty": 3, "/elsewhere": 3, "/healthy": 1})

    def fixed(body: bytes) -> None:
        routes.set("/faulty", lambda _r: Response(status=301, headers={"Location": "/elsewhere"}))
        routes.feed("/elsewhere", body)

    run.serve_faulty = fixed
    assert run.record(fault_ledger, "redirect loop A -> B -> A") == (True, 0, 0)


@pytest.mark.parametrize(
    ("status", "retry_after", "slept"),
    [
        (429, lambda: "7", 7.0),
        # an HTTP date an hour ahead: honoured up to backoff_max
        (503, lambda: format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True), 30.0),
    ],
    ids=["429", "503"],
)
def test_storm_with_retry_after_gives_up_after_the_attempts(
    routes: Routes,
    tmp_path: Path,
    fault_ledger: Ledger,
    status: int,
    retry_after: Callable[[], str],
    slept: float,
) -> None:
    url = routes.url("/faulty")
    run = Scenario(tmp_path, routes, url, partial(routes.feed, "/faulty"), STORM_POLICY)
    run.good_day()
    routes.set(
        "/faulty",
        lambda _r: Response("busy", status=status, headers={"Retry-After": retry_after()}),
    )
    hits = routes.hits["/faulty"]

    summary = run.run(DAY2)

    error = f"HTTP {status} from {url} (gave up after {STORM_POLICY.attempts} attempts)"
    assert summary.failed == {"faulty": error}
    assert run.fetch() == (status, None, True, error)
    assert run.entries("healthy") == posts("healthy", 3)
    assert routes.hits["/faulty"] - hits == STORM_POLICY.attempts
    # Retry-After honoured through the injected sleep, between attempts only, never for real
    assert run.sleeps == [slept] * (STORM_POLICY.attempts - 1)
    assert run.record(fault_ledger, f"{status} storm with Retry-After") == (True, 0, 0)


def test_storm_that_clears_before_the_attempts_run_out_loads(
    routes: Routes, tmp_path: Path, fault_ledger: Ledger
) -> None:
    url = routes.url("/faulty")
    run = Scenario(tmp_path, routes, url, partial(routes.feed, "/faulty"), STORM_POLICY)
    run.good_day()
    storm = STORM_POLICY.attempts - 1
    start = routes.hits["/faulty"]

    def clearing(_request: Request) -> Response:
        if routes.hits["/faulty"] - start <= storm:
            return Response("busy", status=503, headers={"Retry-After": "2"})
        return Response(feed_xml("faulty", 3), content_type="application/rss+xml")

    routes.set("/faulty", clearing)

    summary = run.run(DAY2)

    assert summary.loaded == {"healthy": 3, "faulty": 3}
    assert run.fetch() == (200, 3, False, None)
    assert run.entries("faulty") == posts("faulty", 3)
    assert run.sleeps == [2.0] * storm
    assert routes.hits["/faulty"] - start == STORM_POLICY.attempts
    lost, duplicated = faultkit.diff(run.day1, run.day1_rows())
    fault_ledger.record(
        "network: 503 storm that clears before the last attempt",
        recovered=True,
        lost=lost,
        duplicated=duplicated,
    )
    assert (lost, duplicated) == (0, 0)


class Resolver:
    """socket.getaddrinfo for this test: 127.0.0.1 as itself, UNRESOLVABLE as 127.0.0.1 while
    `resolves`, every other name an error; remembers every name it was asked."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.asked: list[str] = []
        self.resolves = True

    def __call__(self, host: str, port: object, *args: Any, **kwargs: Any) -> Any:
        self.asked.append(host)
        if host == "127.0.0.1" or (host == UNRESOLVABLE and self.resolves):
            return self.real("127.0.0.1", port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_unresolvable_host_fails_without_a_lookup_leaving_the_machine(
    routes: Routes, tmp_path: Path, fault_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Resolver(socket.getaddrinfo)
    connected: list[tuple[str, int]] = []
    real_connect = socket.create_connection

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        sock = real_connect(address, *args, **kwargs)
        connected.append(sock.getpeername())
        return sock

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    port = routes.server.port
    url = f"http://{UNRESOLVABLE}:{port}/faulty"
    run = Scenario(tmp_path, routes, url, partial(routes.feed, "/faulty"))
    run.good_day()
    resolver.resolves = False
    asked = len(resolver.asked)

    summary = run.run(DAY2)

    error = f"ConnectError fetching {url}: [Errno -2] Name or service not known {GAVE_UP}"
    assert_only_faulty_failed(run, summary, error)
    assert resolver.asked[asked:].count(UNRESOLVABLE) == POLICY.attempts
    resolver.resolves = True
    assert run.record(fault_ledger, "unresolvable host name") == (True, 0, 0)
    # no name but these two was ever looked up, and nothing but 127.0.0.1 was connected to
    assert set(resolver.asked) == {"127.0.0.1", UNRESOLVABLE}
    assert set(connected) == {("127.0.0.1", port)}
