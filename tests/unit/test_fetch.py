"""Tests for extract.fetch against a local HTTP server (127.0.0.1 only) and file:// URLs."""

from __future__ import annotations

import gzip
import ipaddress
import re
import socket
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from helpers.in_flight import six_at_once
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.extract import http_get
from feedwarehouse.extract.fetch import FetchResult, fetch_url
from feedwarehouse.extract.fetch_policy import (
    ALLOW_PRIVATE_ENV,
    FILE_ROOTS_ENV,
    MAX_BODY_BYTES,
    FetchPolicy,
    HostLimiter,
    default_policy,
    pool_size,
)
from feedwarehouse.extract.http_clients import USER_AGENT, http_client
from feedwarehouse.extract.http_get import MAX_REDIRECTS

FAST = FetchPolicy(
    attempts=3, backoff_base=0, connect_timeout=2, read_timeout=2, allow_private=True
)
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
    policy = FetchPolicy(attempts=2, backoff_base=0, backoff_max=5, allow_private=True)
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
    policy = FetchPolicy(attempts=4, backoff_base=1.0, backoff_max=3.0, allow_private=True)
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
    result = fetch_url(
        url, FetchPolicy(attempts=3, backoff_base=0, max_body_bytes=10, allow_private=True)
    )
    assert result.error == f"body of {url} exceeds the 10-byte cap"
    assert result.body is None
    assert result.attempts == 1  # not retried


def test_body_exactly_at_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fits").respond_with_data(b"x" * 10)
    result = fetch_url(
        httpserver.url_for("/fits"), FetchPolicy(max_body_bytes=10, allow_private=True)
    )
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
    assert result.error == (
        f"more than {MAX_REDIRECTS} redirects fetching {url}: redirect loop {url} -> {url}"
    )
    assert result.attempts == 1
    assert len(httpserver.log) == MAX_REDIRECTS + 1


def test_connection_refused_is_an_error_not_an_exception(sleeps: Sleeps) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    result = fetch_url(
        url, FetchPolicy(attempts=2, backoff_base=0, allow_private=True), sleep=sleeps
    )
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
    policy = FetchPolicy(attempts=1, read_timeout=0.02, connect_timeout=1, allow_private=True)
    result = fetch_url(url, policy)
    assert result.error == f"timed out fetching {url} (ReadTimeout) (gave up after 1 attempts)"
    assert result.body is None
    # let the server finish the abandoned request, so it is not logged in the next test
    deadline = time.monotonic() + 5
    while not httpserver.log and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(httpserver.log) == 1


def test_file_url_read(tmp_path: Path) -> None:
    feed = tmp_path / "my feed.xml"
    feed.write_bytes(RSS)
    url = feed.as_uri()
    assert "%20" in url
    result = fetch_url(url, FetchPolicy(file_roots=(tmp_path.resolve(),)))
    assert (result.url, result.status, result.body, result.error, result.attempts) == (
        url,
        200,
        RSS,
        None,
        1,
    )


def test_file_url_missing(tmp_path: Path) -> None:
    url = (tmp_path / "missing.xml").as_uri()
    result = fetch_url(url, FetchPolicy(file_roots=(tmp_path.resolve(),)))
    assert result.error == f"cannot read {url}: No such file or directory"
    assert (result.status, result.body, result.attempts, result.ok) == (None, None, 1, False)


def test_file_url_over_cap(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"x" * 11)
    url = feed.as_uri()
    result = fetch_url(url, FetchPolicy(max_body_bytes=10, file_roots=(tmp_path.resolve(),)))
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
        f"{escaped} is outside the allowed file roots {[str((tmp_path / 'allowed').resolve())]}; "
        "put the file under one of them or add its directory to $FEEDWAREHOUSE_FILE_ROOTS"
    )


def test_private_address_refused_by_default(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    url = httpserver.url_for("/feed")
    result = fetch_url(url, FetchPolicy(attempts=3), sleep=sleeps)
    assert result.error == (
        f"refused {url}: {httpserver.host} resolves to non-public address 127.0.0.1; "
        "set FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS=true or 'allow_private_hosts: true' in the feeds "
        "file to fetch private hosts"
    )
    assert (result.status, result.body, result.attempts, sleeps) == (None, None, 1, [])
    assert httpserver.log == []


def test_redirect_to_a_private_host_is_checked_per_hop(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = http_get._addresses

    def public_ip_literal(host: str) -> list[object]:
        # only the guard is fooled: the literal 127.0.0.1 passes as public, "localhost" does not
        return [ipaddress.ip_address("93.184.215.14")] if host == "127.0.0.1" else real(host)

    monkeypatch.setattr(http_get, "_addresses", public_ip_literal)
    port = httpserver.port
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{port}/internal"}
    )
    url = f"http://127.0.0.1:{port}/start"
    result = fetch_url(url, FetchPolicy(attempts=1))
    assert result.error is not None
    assert result.error.startswith(
        f"refused http://localhost:{port}/internal: localhost resolves to non-public address "
    )
    paths = [request.path for request, _ in httpserver.log]
    assert [path for path in paths if path in ("/start", "/internal")] == ["/start"]


def test_redirect_to_a_file_url_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=301, headers={"Location": "file:///etc/passwd"}
    )
    url = httpserver.url_for("/feed")
    result = fetch_url(url, FAST)
    assert result.error == f"{url} redirects to file:///etc/passwd: only http(s) is followed"
    assert (result.body, result.attempts) == (None, 1)


@pytest.mark.parametrize("url", ["ftp://a.example/feed", "gopher://a.example/", "data:,x"])
def test_other_schemes_are_refused(url: str) -> None:
    result = fetch_url(url, FAST)
    assert result.error == f"{url}: only http, https and file URLs are fetched"
    assert (result.body, result.attempts, result.ok) == (None, 0, False)


def test_broken_gzip_is_reported_and_not_retried(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"this is not gzip", headers={"Content-Encoding": "gzip"}
    )
    url = httpserver.url_for("/feed")
    result = fetch_url(url, FAST, sleep=sleeps)
    assert result.error is not None
    assert result.error.startswith(f"body of {url} could not be decoded (Content-Encoding gzip): ")
    assert result.error.endswith("; the server sent a corrupt compressed body")
    assert (result.body, result.attempts, sleeps) == (None, 1, [])


def test_shared_client_and_host_limiter() -> None:
    limiter = HostLimiter(2)
    with http_client(FAST) as client:
        results, peak = six_at_once(
            lambda url: fetch_url(url, FAST, client=client, limiter=limiter), RSS
        )
    assert [r.body for r in results] == [RSS] * 6
    assert peak == 2  # six workers, at most two requests in flight to the host


def test_pool_size_is_what_the_hosts_can_take() -> None:
    policy = FetchPolicy(max_workers=64, per_host=2)
    one_host = [f"https://blog.example/feed/{n}" for n in range(1000)]
    many_hosts = [f"https://blog{n % 100}.example/feed/" for n in range(1000)]
    assert pool_size(one_host, policy) == 2  # more threads would only wait on the host's slots
    assert pool_size(one_host[:40] + many_hosts[:10], policy) == 22
    assert pool_size(many_hosts, policy) == 64
    assert pool_size(many_hosts[:5], policy) == 5
    assert pool_size([], policy) == 1


def test_default_policy_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.delenv(FILE_ROOTS_ENV, raising=False)
    assert default_policy() == FetchPolicy()
    assert (FetchPolicy().allow_private, FetchPolicy().file_roots) == (False, ())
    assert (FetchPolicy().max_workers, FetchPolicy().per_host) == (64, 2)
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "True")
    monkeypatch.setenv(FILE_ROOTS_ENV, f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    policy = default_policy()
    assert policy.allow_private is True
    assert policy.file_roots == ((tmp_path / "a").resolve(), (tmp_path / "b").resolve())


def test_file_urls_refused_without_roots(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)
    result = fetch_url(feed.as_uri(), FetchPolicy())
    assert result.error == (
        f"{feed.as_uri()} is outside the allowed file roots []; put the file under one of them "
        "or add its directory to $FEEDWAREHOUSE_FILE_ROOTS"
    )


def test_credentials_are_not_sent_to_another_host_on_redirect(httpserver: HTTPServer) -> None:
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/feed").respond_with_data(RSS)
        httpserver.expect_request("/private").respond_with_data(
            "", status=302, headers={"Location": other.url_for("/feed")}
        )
        headers = {"Authorization": "Bearer tok", "X-Trace": "1"}
        result = fetch_url(httpserver.url_for("/private"), FAST, request_headers=headers)
        assert result.ok
        ((first, _),) = httpserver.log
        ((second, _),) = other.log
    finally:
        other.clear()
        other.stop()
    assert first.headers.get("Authorization") == "Bearer tok"
    assert second.headers.get("Authorization") is None
    assert second.headers.get("X-Trace") == "1"
