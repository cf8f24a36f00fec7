"""Tests for feedwarehouse.fetch against a local HTTP server (127.0.0.1 only) and file:// URLs."""

from __future__ import annotations

import gzip
import re
import socket
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.fetch import (
    MAX_BODY_BYTES,
    MAX_REDIRECTS,
    USER_AGENT,
    FetchPolicy,
    FetchResult,
    fetch_url,
)

FAST = FetchPolicy(attempts=3, backoff_base=0, connect_timeout=2, read_timeout=2)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


class Sleeps(list[float]):
    """A `sleep` stand-in that records the delays it was asked for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def test_defaults() -> None:
    policy = FetchPolicy()
    assert (policy.attempts, policy.backoff_base, policy.backoff_max) == (4, 1.0, 60.0)
    assert policy.max_body_bytes == MAX_BODY_BYTES == 20 * 1024 * 1024
    assert USER_AGENT.startswith("feedwarehouse/0.1.0 (+https://")


def test_ok_property() -> None:
    assert FetchResult(url="u", body=b"").ok is True
    assert FetchResult(url="u", body=None).ok is False
    assert FetchResult(url="u", body=b"x", error="boom").ok is False


def test_200_returns_body_headers_status(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/feed/").respond_with_data(
        RSS,
        content_type="application/rss+xml; charset=UTF-8",
        headers={"ETag": '"abc123"', "Last-Modified": "Mon, 23 Nov 2026 12:30:00 GMT", "X-Y": "z"},
    )
    url = httpserver.url_for("/feed/")
    result = fetch_url(url, FAST, sleep=sleeps)
    assert result.ok
    assert result.url == url
    assert result.status == 200
    assert result.body == RSS
    assert result.error is None
    assert result.attempts == 1
    assert result.headers == {
        "etag": '"abc123"',
        "last-modified": "Mon, 23 Nov 2026 12:30:00 GMT",
        "content-type": "application/rss+xml; charset=UTF-8",
        "content-length": str(len(RSS)),
    }
    assert sleeps == []


def test_user_agent_sent(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    fetch_url(httpserver.url_for("/feed"), FAST)
    assert len(httpserver.log) == 1
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["Accept-Encoding"] == "gzip, deflate"


def test_request_headers_sent_and_304_is_not_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        b"", status=304, headers={"ETag": '"v1"'}
    )
    result = fetch_url(httpserver.url_for("/feed"), FAST, request_headers={"If-None-Match": '"v1"'})
    assert (result.status, result.error, result.body, result.attempts) == (304, None, None, 1)
    assert result.headers["etag"] == '"v1"'
    assert result.ok is False  # nothing new to land


def test_gzip_body_is_decoded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(RSS), headers={"Content-Encoding": "gzip"}
    )
    result = fetch_url(httpserver.url_for("/feed"), FAST)
    assert result.body == RSS
    assert result.headers["content-encoding"] == "gzip"


def test_503_then_200_retries(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/feed").respond_with_data(RSS)
    result = fetch_url(httpserver.url_for("/feed"), FAST, sleep=sleeps)
    assert (result.status, result.body, result.error, result.attempts) == (200, RSS, None, 2)
    assert sleeps == [0.0]
    assert len(httpserver.log) == 2
    httpserver.check_assertions()


def test_429_retry_after_seconds_is_honoured(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(RSS)
    result = fetch_url(httpserver.url_for("/feed"), FAST, sleep=sleeps)
    assert (result.status, result.body, result.attempts) == (200, RSS, 2)
    assert sleeps == [7.0]


def test_retry_after_is_capped_by_backoff_max(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(RSS)
    policy = FetchPolicy(attempts=2, backoff_base=0, backoff_max=5)
    assert fetch_url(httpserver.url_for("/feed"), policy, sleep=sleeps).ok
    assert sleeps == [5]


def test_retry_after_http_date_in_the_past_means_no_wait(
    httpserver: HTTPServer, sleeps: Sleeps
) -> None:
    past = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    httpserver.expect_ordered_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": past}
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(RSS)
    assert fetch_url(httpserver.url_for("/feed"), FAST, sleep=sleeps).ok
    assert sleeps == [0.0]


def test_backoff_doubles_with_jitter(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=500)
    policy = FetchPolicy(attempts=4, backoff_base=1.0, backoff_max=3.0)
    result = fetch_url(httpserver.url_for("/feed"), policy, sleep=sleeps)
    assert result.attempts == 4
    assert len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 2.0
    assert 1.5 <= sleeps[2] <= 3.0  # 4 s capped at backoff_max, then jittered


def test_404_fails_at_once(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    url = httpserver.url_for("/gone")
    result = fetch_url(url, FAST, sleep=sleeps)
    assert result.status == 404
    assert result.body is None
    assert result.attempts == 1
    assert result.ok is False
    assert re.fullmatch(
        rf"HTTP 404 [A-Za-z ]+ from {re.escape(url)}: not retried \(client error\); "
        "check the feed URL",
        result.error or "",
    )
    assert sleeps == []
    assert len(httpserver.log) == 1


def test_all_attempts_5xx(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/feed").respond_with_data("down", status=503)
    url = httpserver.url_for("/feed")
    result = fetch_url(url, FAST, sleep=sleeps)
    assert result.error == f"HTTP 503 from {url} (gave up after 3 attempts)"
    assert (result.status, result.body, result.attempts) == (503, None, 3)
    assert sleeps == [0.0, 0.0]  # no sleep after the last attempt
    assert len(httpserver.log) == 3


def test_body_over_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 11)
    url = httpserver.url_for("/big")
    result = fetch_url(url, FetchPolicy(attempts=3, backoff_base=0, max_body_bytes=10))
    assert result.error == f"body of {url} exceeds the 10-byte cap"
    assert result.body is None
    assert result.attempts == 1  # not retried


def test_body_exactly_at_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fits").respond_with_data(b"x" * 10)
    result = fetch_url(httpserver.url_for("/fits"), FetchPolicy(max_body_bytes=10))
    assert result.body == b"x" * 10
    assert result.ok


def test_redirects_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/middle")}
    )
    httpserver.expect_request("/middle").respond_with_data(
        "", status=302, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data(RSS)
    url = httpserver.url_for("/old")
    result = fetch_url(url, FAST)
    assert (result.status, result.body, result.attempts, result.url) == (200, RSS, 1, url)
    assert [request.path for request, _ in httpserver.log] == ["/old", "/middle", "/new"]


def test_redirect_loop_gives_up(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    url = httpserver.url_for("/loop")
    result = fetch_url(url, FAST)
    assert result.error == f"more than {MAX_REDIRECTS} redirects fetching {url}"
    assert result.attempts == 1
    assert len(httpserver.log) == MAX_REDIRECTS + 1


def test_connection_refused_is_an_error_not_an_exception(sleeps: Sleeps) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    result = fetch_url(url, FetchPolicy(attempts=2, backoff_base=0), sleep=sleeps)
    assert result.status is None
    assert result.body is None
    assert result.attempts == 2
    assert re.fullmatch(
        rf"ConnectError fetching {re.escape(url)}: .*refused.* \(gave up after 2 attempts\)",
        result.error or "",
    )
    assert sleeps == [0.0]


def test_read_timeout_is_retried_then_reported(httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(0.12)
        return Response(RSS)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    url = httpserver.url_for("/slow")
    result = fetch_url(url, FetchPolicy(attempts=1, read_timeout=0.02, connect_timeout=1))
    assert result.error == f"timed out fetching {url} (ReadTimeout) (gave up after 1 attempts)"
    assert result.body is None


def test_file_url_read(tmp_path: Path) -> None:
    feed = tmp_path / "my feed.xml"
    feed.write_bytes(RSS)
    url = feed.as_uri()
    assert "%20" in url
    result = fetch_url(url)
    assert (result.url, result.status, result.body, result.error, result.attempts) == (
        url,
        200,
        RSS,
        None,
        1,
    )


def test_file_url_missing(tmp_path: Path) -> None:
    url = (tmp_path / "missing.xml").as_uri()
    result = fetch_url(url)
    assert result.error == f"cannot read {url}: No such file or directory"
    assert (result.status, result.body, result.attempts, result.ok) == (None, None, 1, False)


def test_file_url_over_cap(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"x" * 11)
    url = feed.as_uri()
    result = fetch_url(url, FetchPolicy(max_body_bytes=10))
    assert result.error == f"{url} is 11 bytes, over the 10-byte cap"
    assert result.body is None


def test_file_url_outside_allowed_roots(tmp_path: Path) -> None:
    (tmp_path / "allowed").mkdir()
    (tmp_path / "allowed" / "ok.xml").write_bytes(RSS)
    (tmp_path / "secret.xml").write_bytes(RSS)
    policy = FetchPolicy(file_roots=((tmp_path / "allowed").resolve(),))
    assert fetch_url((tmp_path / "allowed" / "ok.xml").as_uri(), policy).body == RSS
    escaped = (tmp_path / "allowed" / ".." / "secret.xml").as_uri()
    result = fetch_url(escaped, policy)
    assert result.body is None
    assert result.error == (
        f"{escaped} is outside the allowed file roots {[str((tmp_path / 'allowed').resolve())]}"
    )
